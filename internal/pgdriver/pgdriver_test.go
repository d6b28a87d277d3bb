package pgdriver_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/faultproxy"
	"github.com/vitrinehq/vitrine/internal/pgdriver"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// budget is how long an operation may take past its deadline: scheduling on a busy shared
// machine, not a performance claim.
const budget = 2 * time.Second

// frozenDB returns a handle to a fresh database reached through a proxy the test can freeze.
func frozenDB(t *testing.T) (*sql.DB, *faultproxy.Proxy) {
	t.Helper()
	u, err := url.Parse(storetest.URL(t))
	require.NoError(t, err)
	p := faultproxy.Start(t, u.Host)
	u.Host = p.Addr()
	db, err := pgdriver.Open(u.String(), pgdriver.Options{ConnectTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.PingContext(context.Background()))
	return db, p
}

// Every kind of operation waiting on a frozen server returns at its context's deadline with
// the context's error, and the pool works again once the server answers.
func TestFrozenServerBoundedByContext(t *testing.T) {
	tests := []struct {
		name string
		// prepare runs before the freeze; op runs during it.
		prepare func(t *testing.T, db *sql.DB) any
		op      func(ctx context.Context, db *sql.DB, prepared any) error
	}{
		{"Query", nil, func(ctx context.Context, db *sql.DB, _ any) error {
			var n int
			return db.QueryRowContext(ctx, "SELECT 1").Scan(&n)
		}},
		{"Exec", nil, func(ctx context.Context, db *sql.DB, _ any) error {
			_, err := db.ExecContext(ctx, "SELECT pg_sleep(0)")
			return err
		}},
		{"Ping", nil, func(ctx context.Context, db *sql.DB, _ any) error { return db.PingContext(ctx) }},
		{"Begin", nil, func(ctx context.Context, db *sql.DB, _ any) error {
			tx, err := db.BeginTx(ctx, nil)
			if err == nil {
				_ = tx.Rollback()
			}
			return err
		}},
		{"RowsMidResult", nil, func(ctx context.Context, db *sql.DB, proxy any) error {
			// A result bigger than the socket buffers, frozen once its first row is read: the
			// rest is read while frozen.
			rows, err := db.QueryContext(ctx, "SELECT repeat('x', 1000) FROM generate_series(1, 20000)")
			if err != nil {
				return err
			}
			defer rows.Close()
			for first := true; rows.Next(); first = false {
				if first {
					proxy.(*faultproxy.Proxy).Freeze()
				}
			}
			return rows.Err()
		}},
		{"Prepared", func(t *testing.T, db *sql.DB) any {
			st, err := db.Prepare("SELECT $1::int")
			require.NoError(t, err)
			t.Cleanup(func() { st.Close() })
			return st
		}, func(ctx context.Context, _ *sql.DB, prepared any) error {
			var n int
			return prepared.(*sql.Stmt).QueryRowContext(ctx, 1).Scan(&n)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, p := frozenDB(t)
			var prepared any
			if tt.prepare != nil {
				prepared = tt.prepare(t, db)
			}
			if tt.name != "RowsMidResult" {
				p.Freeze()
			} else {
				prepared = p // the operation freezes the server itself, mid-result
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := tt.op(ctx, db, prepared)
			elapsed := time.Since(start)
			require.Error(t, err)
			require.True(t, errors.Is(err, context.DeadlineExceeded), "the context's error, got %v", err)
			require.Less(t, elapsed, 300*time.Millisecond+budget, "returned at the deadline")

			p.Thaw()
			var n int
			require.NoError(t, db.QueryRowContext(context.Background(), "SELECT 1").Scan(&n), "the pool recovers")
		})
	}
}

// COMMIT has no context of its own in database/sql: the transaction's bounds it.
func TestFrozenCommitBoundedByTransactionContext(t *testing.T) {
	db, p := frozenDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "CREATE TEMP TABLE t (x int)")
	require.NoError(t, err)
	p.Freeze()
	start := time.Now()
	err = tx.Commit()
	require.Error(t, err)
	require.Less(t, time.Since(start), 500*time.Millisecond+budget)
}

// A cancelled context (the client went away) ends a statement as well as a deadline does.
func TestFrozenServerCancel(t *testing.T) {
	db, p := frozenDB(t)
	p.Freeze()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	var n int
	err := db.QueryRowContext(ctx, "SELECT 1").Scan(&n)
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(start), 200*time.Millisecond+budget)
}

// New connections to a frozen server give up at the connect timeout even without a deadline
// of their own (the pool opens some in the background).
func TestFrozenServerConnectTimeout(t *testing.T) {
	db, p := frozenDB(t)
	db.SetMaxIdleConns(0) // every query dials
	p.Freeze()
	start := time.Now()
	err := db.PingContext(context.Background())
	require.Error(t, err)
	require.Less(t, time.Since(start), 2*time.Second+budget)
}
