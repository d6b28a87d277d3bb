package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// syncBuffer lets the server goroutine log while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs `vitrine serve` in-process on a free port and returns its base URL.
func startServer(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, getenv, nil, logs, func(a net.Addr) { addrc <- a })
	}()
	select {
	case a := <-addrc:
		t.Cleanup(func() {
			cancel()
			require.NoError(t, <-done, "serve must shut down cleanly")
		})
		return "http://" + a.String(), logs
	case err := <-done:
		cancel()
		t.Fatalf("serve exited early: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("serve did not start\n%s", logs.String())
	}
	return "", nil
}

func TestServeEmbeddedStoreWithDemoData(t *testing.T) {
	base, logs := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir()})
	gql := &gqltest.Client{URL: base + "/graphql"}

	var out struct {
		Products   struct{ TotalCount int }
		Categories struct{ TotalCount int }
		Search     struct{ TotalCount int }
	}
	gql.MustData(t, &out, `{ products { totalCount } categories { totalCount } search(query: "waterproof") { totalCount } }`, nil)
	require.GreaterOrEqual(t, out.Products.TotalCount, 500)
	require.GreaterOrEqual(t, out.Categories.TotalCount, 20)
	require.Positive(t, out.Search.TotalCount)

	res, err := http.Get(base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(page), "graphiql")

	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(base + path)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, path)
	}
	require.Contains(t, logs.String(), "seeded demo catalog")

	// Two published demo quizzes (the draft stays hidden) that recommend in-stock products.
	var quizzes struct {
		Quizzes struct {
			Edges []struct {
				Node struct {
					ID        string
					Questions []struct {
						ID       string
						Required bool
						Options  []struct{ ID string }
					}
				}
			}
		}
	}
	gql.MustData(t, &quizzes, `{ quizzes { edges { node { id questions { id required options { id } } } } } }`, nil)
	require.Len(t, quizzes.Quizzes.Edges, 2)
	for _, e := range quizzes.Quizzes.Edges {
		var answers []map[string]any
		for _, q := range e.Node.Questions {
			if q.Required {
				answers = append(answers, map[string]any{"questionID": q.ID, "optionIDs": []string{q.Options[0].ID}})
			}
		}
		var res struct {
			SubmitQuiz struct {
				Recommendations []struct{ Product struct{ Stock int } }
			}
		}
		gql.MustData(t, &res, `mutation($q: ID!, $a: [QuizAnswerInput!]!) { submitQuiz(quizID: $q, answers: $a) {
			recommendations { product { stock } } } }`, map[string]any{"q": e.Node.ID, "a": answers})
		require.Len(t, res.SubmitQuiz.Recommendations, 5)
		for _, r := range res.SubmitQuiz.Recommendations {
			require.Positive(t, r.Product.Stock)
		}
	}
	require.Contains(t, logs.String(), "operation=")

	// The demo admin documented in the README can log in and manage the catalog.
	var login struct{ Login struct{ Token string } }
	gql.MustData(t, &login, `mutation { login(email: "admin@demo.vitrine.dev", password: "demo-admin-password") { token } }`, nil)
	admin := &gqltest.Client{URL: gql.URL, Header: http.Header{"Authorization": {"Bearer " + login.Login.Token}}}
	var me struct{ Me struct{ Role string } }
	admin.MustData(t, &me, `{ me { role } }`, nil)
	require.Equal(t, "ADMIN", me.Me.Role)

	var health bytes.Buffer
	addr := strings.TrimPrefix(base, "http://")
	require.NoError(t, run(context.Background(), []string{"healthcheck"}, func(k string) string {
		return map[string]string{"VITRINE_ADDR": addr}[k]
	}, nil, &health, nil))
	require.Equal(t, "ok\n", health.String())
}

func TestServePostgresStartsEmpty(t *testing.T) {
	base, _ := startServer(t, map[string]string{"DATABASE_URL": storetest.URL(t), "VITRINE_DATA_DIR": t.TempDir()})
	var out struct{ Products struct{ TotalCount int } }
	(&gqltest.Client{URL: base + "/graphql"}).MustData(t, &out, `{ products { totalCount } }`, nil)
	require.Zero(t, out.Products.TotalCount, "serve must not seed demo data into Postgres")
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := func(k string) string { return map[string]string{"VITRINE_DATA_DIR": dir}[k] }
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"migrate"}, env, nil, &out, nil))
	require.Contains(t, out.String(), "schema is up to date")
	out.Reset()
	require.NoError(t, run(ctx, []string{"seed"}, env, nil, &out, nil))
	require.Contains(t, out.String(), "seeded")
	err := run(ctx, []string{"seed"}, env, nil, &out, nil)
	require.ErrorContains(t, err, "already holds a catalog")

	out.Reset()
	require.NoError(t, run(ctx, []string{"user", "create-admin", "--email", "Root@Example.com", "--password-stdin"},
		env, strings.NewReader("a-long-admin-password\n"), &out, nil))
	require.Contains(t, out.String(), "created admin root@example.com")
	err = run(ctx, []string{"user", "create-admin", "--email", "x@example.com", "--password-stdin"}, env, strings.NewReader("short\n"), &out, nil)
	require.ErrorContains(t, err, "password")
	err = run(ctx, []string{"user", "create-admin", "--email", "x@example.com"}, env, strings.NewReader("a-long-admin-password\n"), &out, nil)
	require.ErrorContains(t, err, "usage")

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"ErrUnknownCommand", []string{"frobnicate"}, nil, "unknown command"},
		{"ErrBadEnv", []string{"migrate"}, map[string]string{"VITRINE_ENV": "staging"}, "VITRINE_ENV"},
		{"ErrBadPoolSize", []string{"migrate"}, map[string]string{"VITRINE_DB_MAX_OPEN_CONNS": "many"}, "VITRINE_DB_MAX_OPEN_CONNS"},
		{"ErrBadLogLevel", []string{"migrate", "-log-level", "loud"}, nil, "LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(ctx, tt.args, func(k string) string { return tt.env[k] }, nil, io.Discard, nil)
			require.Error(t, err)
			require.True(t, strings.Contains(err.Error(), tt.want), err.Error())
		})
	}
}
