// Package store opens Vitrine's database — Postgres in production, an embedded SQLite file
// otherwise — and keeps its schema current.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "modernc.org/sqlite" // Pure-Go SQLite driver, registered as "sqlite".

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/pgdriver"
)

// Options say which database to open and how to pool connections.
type Options struct {
	// DatabaseURL selects Postgres when set (postgres://…); otherwise SQLite in DataDir.
	DatabaseURL string
	// DataDir holds the embedded SQLite file.
	DataDir         string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// WrapDriver, when set, wraps the ent driver (tests use it to count statements).
	WrapDriver func(dialect.Driver) dialect.Driver
}

// Store is an open database with its ent client.
type Store struct {
	Client  *ent.Client
	DB      *sql.DB
	Dialect string
}

// Open connects to the database described by opts and checks that it answers.
func Open(ctx context.Context, opts Options) (*Store, error) {
	var (
		db   *sql.DB
		name string
		err  error
	)
	if opts.DatabaseURL != "" {
		name = dialect.Postgres
		// Bounded by each statement's context even when the server freezes (internal/pgdriver).
		db, err = pgdriver.Open(opts.DatabaseURL, pgdriver.Options{})
	} else {
		name = dialect.SQLite
		db, err = openSQLite(opts.DataDir)
	}
	if err != nil {
		return nil, err
	}
	ConfigurePool(db, opts)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", name, err)
	}
	var drv dialect.Driver = entsql.OpenDB(name, db)
	if opts.WrapDriver != nil {
		drv = opts.WrapDriver(drv)
	}
	return &Store{Client: ent.NewClient(ent.Driver(drv)), DB: db, Dialect: name}, nil
}

func openSQLite(dir string) (*sql.DB, error) {
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	// foreign_keys enforces the same referential integrity as Postgres; WAL lets readers run
	// while a write commits; _txlock=immediate takes the write lock at BEGIN so concurrent
	// writers queue on busy_timeout instead of failing with SQLITE_BUSY mid-transaction.
	dsn := "file:" + filepath.Join(dir, "vitrine.db") +
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	return db, nil
}

// ConfigurePool sizes a connection pool from opts' pool settings, with the store's defaults:
// the primary's, and the read replicas' so that they are sized alike.
func ConfigurePool(db *sql.DB, opts Options) {
	maxOpen := opts.MaxOpenConns
	if maxOpen <= 0 {
		maxOpen = 20
	}
	maxIdle := opts.MaxIdleConns
	if maxIdle <= 0 {
		maxIdle = maxOpen
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxIdle)
	if opts.ConnMaxLifetime > 0 {
		db.SetConnMaxLifetime(opts.ConnMaxLifetime)
	}
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// Driver returns a new ent driver over the store's connection pool, for a client whose driver
// is wrapped (read replicas, statement counting, tracing) without those wrappers in the way of
// migrations and seeding.
func (s *Store) Driver() dialect.Driver { return entsql.OpenDB(s.Dialect, s.DB) }

// Close closes the client and its connections.
func (s *Store) Close() error { return s.Client.Close() }
