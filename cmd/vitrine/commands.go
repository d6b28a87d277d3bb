package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/internal/seed"
	"github.com/vitrinehq/vitrine/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// migrate applies the pending migrations (or, with status, lists them) and, with rebuild,
// recomputes the aggregates.
func migrate(ctx context.Context, cfg config.Config, status, rebuild bool, stdout io.Writer) error {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	before, err := st.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if status {
		printStatus(stdout, before)
		return nil
	}
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	after, err := st.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	ran := map[string]bool{}
	for _, m := range after.Applied {
		ran[m.Version] = m.Applied.Valid
	}
	for _, m := range before.Pending {
		verb := "applied"
		if !ran[m.Version] {
			verb = "adopted" // an earlier release built it; recorded, not run
		}
		fmt.Fprintf(stdout, "%s %s_%s\n", verb, m.Version, m.Description)
	}
	fmt.Fprintf(stdout, "schema is up to date (%s, version %s)\n", st.Dialect, before.Latest)
	if rebuild {
		start := time.Now()
		if err := analytics.RebuildAggregates(ctx, st.DB, st.Dialect); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "aggregates rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// printStatus lists every migration of this binary with its state, for `vitrine migrate -status`.
func printStatus(w io.Writer, s store.SchemaStatus) {
	current := s.Current
	if current == "" {
		current = "none"
	}
	fmt.Fprintf(w, "%s schema at version %s; this binary's latest is %s\n", s.Dialect, current, s.Latest)
	if s.Unversioned {
		fmt.Fprintln(w, "no migration history: an earlier release created this schema with automatic migration;\n"+
			"vitrine migrate adopts it (after checking it is that release's schema) and applies the rest")
	}
	for _, m := range s.Applied {
		when := "adopted"
		if m.Applied.Valid {
			when = m.Applied.Time.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "applied  %s_%s  %s\n", m.Version, m.Description, when)
	}
	for _, m := range s.Pending {
		fmt.Fprintf(w, "pending  %s_%s\n", m.Version, m.Description)
	}
}

func seedCmd(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	st, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	empty, err := seed.IsEmpty(ctx, st.Client)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("the database already holds a catalog; seed loads only into an empty database")
	}
	start := time.Now()
	stats, err := loadDemo(ctx, cfg, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d categories, %d products, %d users, %d reviews, %d ratings in %s\n",
		stats.Categories, stats.Products, stats.Users, stats.Reviews, stats.Ratings,
		time.Since(start).Round(time.Millisecond))
	return nil
}

// loadDemo loads the demo catalog and, outside production, the documented demo accounts.
func loadDemo(ctx context.Context, cfg config.Config, st *store.Store) (seed.Stats, error) {
	stats, err := seed.Load(ctx, st.Client, seed.Demo())
	if err != nil {
		return stats, fmt.Errorf("seed demo data: %w", err)
	}
	if err := seed.DemoQuizzes(ctx, st.Client, st.Dialect); err != nil {
		return stats, err
	}
	if cfg.Production() {
		return stats, nil
	}
	accounts, err := account.New(st.Client, bcrypt.DefaultCost)
	if err != nil {
		return stats, err
	}
	return stats, accounts.CreateDemoAccounts(ctx)
}

// openMigrated opens the store and makes sure its schema is the one this binary needs: with
// VITRINE_AUTO_MIGRATE it applies pending migrations, otherwise it refuses an outdated schema
// and says what to run. tune, if given, adjusts the store's options first.
func openMigrated(ctx context.Context, cfg config.Config, tune ...func(*store.Options)) (*store.Store, error) {
	st, err := openStore(ctx, cfg, tune...)
	if err != nil {
		return nil, err
	}
	if cfg.AutoMigrate {
		err = st.Migrate(ctx)
	} else if err = st.CheckSchema(ctx); errors.As(err, new(*store.OutdatedError)) {
		err = fmt.Errorf(`%w: run "vitrine migrate" (or set VITRINE_AUTO_MIGRATE=true)`, err)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func openStore(ctx context.Context, cfg config.Config, tune ...func(*store.Options)) (*store.Store, error) {
	opts := store.Options{
		DatabaseURL:     cfg.DatabaseURL,
		DataDir:         cfg.DataDir,
		MaxOpenConns:    cfg.DBMaxOpenConns,
		MaxIdleConns:    cfg.DBMaxIdleConns,
		ConnMaxLifetime: cfg.DBConnLifetime,
	}
	for _, t := range tune {
		t(&opts)
	}
	st, err := store.Open(ctx, opts)
	if err != nil && cfg.DatabaseURL != "" {
		return nil, databaseError(cfg.DatabaseURL, err)
	}
	return st, err
}

// databaseError names DATABASE_URL (without its password) in a failure to open the database,
// and says how to create a database that does not exist yet: a fresh Postgres server has
// only "postgres".
func databaseError(rawURL string, err error) error {
	where := "DATABASE_URL " + config.SafeURL(rawURL)
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("%s: %w", where, err)
	}
	u, _ := url.Parse(rawURL) // parsed by config already
	name := strings.TrimPrefix(u.Path, "/")
	return fmt.Errorf("%s: database %q does not exist on that server; create it first, e.g. "+
		"createdb -h %s -p %s -U %s %s (or psql -c 'CREATE DATABASE %s' on the server), then run vitrine migrate",
		where, name, orDefault(u.Hostname(), "localhost"), orDefault(u.Port(), "5432"), orDefault(u.User.Username(), "postgres"),
		name, pq.QuoteIdentifier(name))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// newLogger logs JSON in production (for log pipelines) and text in development (for people).
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.Production() {
		return slog.New(reqlog.Handler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(reqlog.Handler(slog.NewTextHandler(w, opts)))
}

// healthcheck probes /healthz on the configured address, so container images without curl
// can still declare a health check.
func healthcheck(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("VITRINE_ADDR %q: %w", cfg.Addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", res.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
