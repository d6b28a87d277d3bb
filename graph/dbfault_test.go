package graph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/faultproxy"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// A frozen primary (processes stopped, sockets open) costs a request its request timeout, not
// more: reads and mutations answer TIMEOUT at the deadline, and /readyz answers 503 within its
// own 2 s ping timeout. Once the database answers again, so does the API.
func TestFrozenDatabaseBoundedByRequestTimeout(t *testing.T) {
	u, err := url.Parse(storetest.URL(t))
	require.NoError(t, err)
	proxy := faultproxy.Start(t, u.Host)
	u.Host = proxy.Addr()
	st, err := store.Open(context.Background(), store.Options{DatabaseURL: u.String()})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))

	lim := limits.Defaults()
	lim.RequestTimeout = time.Second
	e := newLimitedEnv(t, st, server.Options{Limits: &lim})
	tok, _, err := e.tokens.Issue(e.fx.users[0].ID, e.fx.users[0].Role)
	require.NoError(t, err)
	// slack is scheduling on a busy shared machine, not a performance claim.
	const slack = 2 * time.Second

	read := `{ products(first: 2) { totalCount } }`
	require.Empty(t, serve(t, e.handler, gqlRequest(t, read, nil, "")).Errors)
	proxy.Freeze()

	for _, tt := range []struct{ name, doc, token string }{
		{"Read", read, ""},
		{"Mutation", `mutation { createCategory(input: {name: "Frozen", slug: "frozen"}) { id } }`, tok},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res := serve(t, e.handler, gqlRequest(t, tt.doc, nil, tt.token))
			require.Less(t, time.Since(start), lim.RequestTimeout+slack, "answered at the request deadline")
			require.NotEmpty(t, res.Errors, res.Raw)
			require.Equal(t, "TIMEOUT", res.Errors[0].Code(), res.Raw)
			require.NotContains(t, res.Raw, proxy.Addr())
		})
	}
	t.Run("Readyz", func(t *testing.T) {
		start := time.Now()
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		require.Less(t, time.Since(start), 2*time.Second+slack, "answered within its ping timeout")
		require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	})

	proxy.Thaw()
	require.Empty(t, serve(t, e.handler, gqlRequest(t, read, nil, "")).Errors, "the API recovers with the database")
}
