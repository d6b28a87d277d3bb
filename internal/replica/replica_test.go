package replica

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

// where tells which server answered: "replica" or "primary".
const whereQuery = `SELECT CASE WHEN pg_is_in_recovery() THEN 'replica' ELSE 'primary' END, inet_server_port()`

// fixture is a Router over a real primary and a real streaming replica.
type fixture struct {
	pg     *storetest.Replicated
	router *Router
	// ports of the servers, to check inet_server_port() against.
	primaryPort, replicaPort int
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	pg := storetest.StartReplicated(t)
	primary, err := entsql.Open(dialect.Postgres, pg.PrimaryURL)
	require.NoError(t, err)
	if opts.CheckInterval == 0 {
		opts.CheckInterval = 50 * time.Millisecond
	}
	r, err := New(primary, []string{pg.ReplicaURL}, nil, opts)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.Start(ctx)
	return &fixture{pg: pg, router: r, primaryPort: port(t, pg.PrimaryURL), replicaPort: port(t, pg.ReplicaURL)}
}

func port(t *testing.T, raw string) int {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	n, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	return n
}

// entRead runs whereQuery the way ent's query builders do: through Query, with a query context.
func entRead(ctx context.Context, t *testing.T, d dialect.ExecQuerier) (string, int) {
	t.Helper()
	ctx = ent.NewQueryContext(ctx, &ent.QueryContext{Type: "Probe"})
	var rows entsql.Rows
	require.NoError(t, d.Query(ctx, whereQuery, []any{}, &rows))
	defer rows.Close()
	require.True(t, rows.Next())
	var role string
	var p int
	require.NoError(t, rows.Scan(&role, &p))
	return role, p
}

// rawRead runs whereQuery the way analytics and loaders do: through QueryContext.
func rawRead(ctx context.Context, t *testing.T, r *Router) (string, int) {
	t.Helper()
	rows, err := r.QueryContext(ctx, whereQuery)
	require.NoError(t, err)
	defer rows.Close()
	require.True(t, rows.Next())
	var role string
	var p int
	require.NoError(t, rows.Scan(&role, &p))
	return role, p
}

// waitFor polls cond until it holds or 20 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func inRotation(r *Router) bool { return r.replicas[0].healthy.Load() }

func TestRouting(t *testing.T) {
	f := newFixture(t, Options{})
	r, ctx := f.router, context.Background()
	waitFor(t, "the replica joins the rotation", func() bool { return inRotation(r) })

	t.Run("ReadsGoToTheReplica", func(t *testing.T) {
		role, p := entRead(ctx, t, r)
		require.Equal(t, "replica", role)
		require.Equal(t, f.replicaPort, p)
		role, p = rawRead(ctx, t, r)
		require.Equal(t, "replica", role)
		require.Equal(t, f.replicaPort, p)
	})
	t.Run("WritesGoToThePrimaryAndReplicate", func(t *testing.T) {
		require.NoError(t, r.Exec(ctx, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)", []any{}, nil))
		// ent's INSERT … RETURNING comes through Query without a query context.
		var rows entsql.Rows
		require.NoError(t, r.Query(ctx, "INSERT INTO notes (body) VALUES ($1) RETURNING id, inet_server_port()", []any{"hello"}, &rows))
		require.True(t, rows.Next())
		var id, p int
		require.NoError(t, rows.Scan(&id, &p))
		rows.Close()
		require.Equal(t, f.primaryPort, p)
		waitFor(t, "the insert reaches the replica", func() bool {
			var n int
			err := f.router.replicas[0].db.QueryRow("SELECT count(*) FROM notes").Scan(&n)
			return err == nil && n == 1
		})
	})
	t.Run("TransactionsUseThePrimary", func(t *testing.T) {
		tx, err := r.Tx(ctx)
		require.NoError(t, err)
		defer tx.Rollback()
		role, p := entRead(ctx, t, tx)
		require.Equal(t, "primary", role)
		require.Equal(t, f.primaryPort, p)
	})
	require.Positive(t, r.Stats().ReplicaReads)
	require.Positive(t, r.Stats().Writes)
}

// TestReadYourWrites pauses the replica's replay, so it stays in the rotation but stale: the
// writer keeps reading their write, from the primary, until the replica has replayed it, then
// reads from the replica again.
func TestReadYourWrites(t *testing.T) {
	f := newFixture(t, Options{MaxLag: time.Hour})
	r := f.router
	waitFor(t, "the replica joins the rotation", func() bool { return inRotation(r) })
	require.NoError(t, r.Exec(context.Background(), "CREATE TABLE notes (body text)", []any{}, nil))
	replicaDB := r.replicas[0].db
	waitFor(t, "the table reaches the replica", func() bool {
		var n int
		return replicaDB.QueryRow("SELECT count(*) FROM notes").Scan(&n) == nil
	})
	_, err := replicaDB.Exec("SELECT pg_wal_replay_pause()")
	require.NoError(t, err)
	t.Cleanup(func() { replicaDB.Exec("SELECT pg_wal_replay_resume()") })

	// The handler writes when asked to, then reads, and says which server answered the read
	// and how many notes it saw.
	srv := httptest.NewServer(r.Middleware(func(req *http.Request) string { return req.Header.Get("User") })(
		http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.URL.Query().Has("write") {
				tx, err := r.Tx(req.Context())
				require.NoError(t, err)
				require.NoError(t, tx.Exec(req.Context(), "INSERT INTO notes VALUES ('x')", []any{}, nil))
				require.NoError(t, tx.Commit())
			}
			ctx := ent.NewQueryContext(req.Context(), &ent.QueryContext{Type: "Probe"})
			var rows entsql.Rows
			require.NoError(t, r.Query(ctx, `SELECT CASE WHEN pg_is_in_recovery() THEN 'replica' ELSE 'primary' END, count(*) FROM notes`, []any{}, &rows))
			defer rows.Close()
			require.True(t, rows.Next())
			var role string
			var n int
			require.NoError(t, rows.Scan(&role, &n))
			fmt.Fprintf(w, "%s %d", role, n)
		})))
	defer srv.Close()
	get := func(user, query string) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?"+query, nil)
		req.Header.Set("User", user)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}

	tests := []struct {
		name, user, query, want string
	}{
		{"BeforeWritingReadsUseTheReplica", "ann", "", "replica 0"},
		{"TheWritingRequestReadsThePrimary", "ann", "write", "primary 1"},
		{"TheWritersNextRequestReadsTheirWrite", "ann", "", "primary 1"},
		{"OtherUsersStillReadTheReplica", "bob", "", "replica 0"},
		{"AnonymousRequestsReadTheReplica", "", "", "replica 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.Equal(t, tt.want, get(tt.user, tt.query)) })
	}
	t.Run("TheWriterReadsTheirWriteForAsLongAsTheReplicaLacksIt", func(t *testing.T) {
		// Longer than any fixed window would be, and many check rounds.
		time.Sleep(2500 * time.Millisecond)
		require.Equal(t, "primary 1", get("ann", ""))
		require.Positive(t, r.Stats().PinnedReads)
	})
	t.Run("OnceTheReplicaReplayedTheWriteTheWriterReadsItThere", func(t *testing.T) {
		_, err := replicaDB.Exec("SELECT pg_wal_replay_resume()")
		require.NoError(t, err)
		waitFor(t, "the writer's reads return to the replica", func() bool { return get("ann", "") == "replica 1" })
	})
	t.Run("WithPrimaryPinsOneContext", func(t *testing.T) {
		role, _ := entRead(WithPrimary(context.Background()), t, r)
		require.Equal(t, "primary", role)
	})
}

func TestFailover(t *testing.T) {
	f := newFixture(t, Options{MaxLag: 500 * time.Millisecond})
	r, ctx := f.router, context.Background()
	waitFor(t, "the replica joins the rotation", func() bool { return inRotation(r) })
	// Open connections to the replica, so that stopping it breaks pooled ones mid-use.
	for range 5 {
		role, _ := rawRead(ctx, t, r)
		require.Equal(t, "replica", role)
	}

	t.Run("AStoppedReplicaIsRetriedOnThePrimaryThenEjected", func(t *testing.T) {
		f.pg.StopReplica(t)
		// The first read may still pick the replica: it must be answered by the primary anyway.
		role, _ := rawRead(ctx, t, r)
		require.Equal(t, "primary", role)
		waitFor(t, "the checker ejects the replica", func() bool { return !inRotation(r) })
		role, _ = entRead(ctx, t, r)
		require.Equal(t, "primary", role)
		st := r.Status(ctx)
		require.Len(t, st, 2)
		require.Equal(t, "ok", st[0].Status)
		require.Equal(t, "down", st[1].Status)
		require.False(t, st[1].InRotation)
		require.Positive(t, r.Stats().NoReplicaReads)
	})
	t.Run("ARestartedReplicaIsReadmitted", func(t *testing.T) {
		f.pg.StartReplica(t)
		waitFor(t, "the checker re-admits the replica", func() bool { return inRotation(r) })
		role, p := rawRead(ctx, t, r)
		require.Equal(t, "replica", role)
		require.Equal(t, f.replicaPort, p)
		require.Positive(t, r.Stats().Admissions)
	})
	t.Run("ALaggingReplicaIsEjected", func(t *testing.T) {
		replicaDB := r.replicas[0].db
		_, err := replicaDB.Exec("SELECT pg_wal_replay_pause()")
		require.NoError(t, err)
		defer replicaDB.Exec("SELECT pg_wal_replay_resume()")
		// The replica receives this write but does not apply it: it falls behind.
		require.NoError(t, r.Exec(ctx, "CREATE TABLE lag_probe (id int)", []any{}, nil))
		waitFor(t, "the checker ejects the lagging replica", func() bool { return !inRotation(r) })
		st := r.Status(ctx)
		require.Equal(t, "lagging", st[1].Status)
		require.Greater(t, st[1].LagSeconds, 0.5)
		role, _ := rawRead(ctx, t, r)
		require.Equal(t, "primary", role)

		_, err = replicaDB.Exec("SELECT pg_wal_replay_resume()")
		require.NoError(t, err)
		waitFor(t, "the caught-up replica is re-admitted", func() bool { return inRotation(r) })
	})
	t.Run("AnIdlePrimaryDoesNotMakeTheReplicaLag", func(t *testing.T) {
		// Nothing is written now; the last replayed commit grows old but the replica has
		// replayed all it received, so it stays in.
		time.Sleep(time.Second)
		r.Check(ctx)
		require.True(t, inRotation(r))
		require.Zero(t, r.Status(ctx)[1].LagSeconds)
	})
}

func TestConnectionLost(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"Refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"AdminShutdown", &pq.Error{Code: "57P01"}, true},
		{"ConnectionFailure", &pq.Error{Code: "08006"}, true},
		{"ConnectionFailureWrapped", fmt.Errorf("load reviews: %w", &pq.Error{Code: "08006"}), true},
		{"BadConn", driver.ErrBadConn, true},
		{"GoneMidResult", fmt.Errorf("scan: %w", io.ErrUnexpectedEOF), true},
		{"Reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"SyntaxErrorSaysNothingAboutTheServer", &pq.Error{Code: "42601"}, false},
		{"StatementCancelledByDeadline", &pq.Error{Code: "57014"}, false},
		{"CanceledByTheClient", context.Canceled, false},
		{"ResolverError", errors.New("no product has this slug"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.Equal(t, tt.want, connectionLost(tt.err)) })
	}
}

func TestMarks(t *testing.T) {
	kinds := map[string]func(t *testing.T) Marks{
		"Memory": func(*testing.T) Marks { return NewMemoryMarks() },
		"Redis": func(t *testing.T) Marks {
			return NewRedisMarks(redisClient(t), fmt.Sprintf("vitrine:test:%d:", time.Now().UnixNano()))
		},
	}
	for kind, newMarks := range kinds {
		t.Run(kind, func(t *testing.T) {
			m, ctx := newMarks(t), context.Background()
			position := func(key string) LSN {
				t.Helper()
				p, err := m.Position(ctx, key)
				require.NoError(t, err)
				return p
			}
			require.Zero(t, position("ann"), "no mark before a write")
			require.NoError(t, m.Mark(ctx, "ann", 0x1_0000_0100, time.Minute))
			require.Equal(t, LSN(0x1_0000_0100), position("ann"))
			require.Zero(t, position("bob"))
			t.Run("ALaterWriteMovesTheMark", func(t *testing.T) {
				require.NoError(t, m.Mark(ctx, "ann", 0x1_0000_0200, time.Minute))
				require.Equal(t, LSN(0x1_0000_0200), position("ann"))
			})
			t.Run("AnEarlierPositionArrivingLateDoesNotMoveItBack", func(t *testing.T) {
				require.NoError(t, m.Mark(ctx, "ann", 0x0_ffff_0000, time.Minute))
				require.Equal(t, LSN(0x1_0000_0200), position("ann"))
			})
			t.Run("AnUnknownPositionIsKept", func(t *testing.T) {
				require.NoError(t, m.Mark(ctx, "cy", unknownPosition, time.Minute))
				require.Equal(t, unknownPosition, position("cy"))
			})
			t.Run("TheMarkExpires", func(t *testing.T) {
				require.NoError(t, m.Mark(ctx, "dee", 42, 100*time.Millisecond))
				require.Equal(t, LSN(42), position("dee"))
				time.Sleep(150 * time.Millisecond)
				require.Zero(t, position("dee"))
			})
			if rm, ok := m.(*RedisMarks); ok {
				t.Run("AnotherProcessSeesTheMark", func(t *testing.T) {
					other := NewRedisMarks(redis.NewClient(rm.client.(*redis.Client).Options()), rm.prefix)
					defer other.Close()
					p, err := other.Position(ctx, "ann")
					require.NoError(t, err)
					require.Equal(t, LSN(0x1_0000_0200), p)
				})
			}
		})
	}
}

// redisClient connects to VITRINE_TEST_REDIS_URL or 127.0.0.1:6379; without Redis the test
// is skipped loudly, or fails under CI=true.
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	raw := os.Getenv("VITRINE_TEST_REDIS_URL")
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(raw)
	require.NoError(t, err)
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		msg := fmt.Sprintf("\n#### THIS TEST NEEDS REDIS AND DID NOT RUN: %s: %v\n#### Start redis-server or set VITRINE_TEST_REDIS_URL.", raw, err)
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return c
}
