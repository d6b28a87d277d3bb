package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name, endpoint, prefix, want string
	}{
		{"ErrNoEndpoint", "", "/dashboard/assets/", "endpoint"},
		{"ErrRelativePrefix", "/graphql", "assets/", "absolute path"},
		{"ErrBadEndpoint", "http://[::1", "/dashboard/assets/", "endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.endpoint, tt.prefix, "/")
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestPolicyAllowsOnlyTheEndpoint(t *testing.T) {
	local, err := New("/graphql", "/dashboard/assets", "/")
	require.NoError(t, err)
	require.Contains(t, local.csp, "connect-src 'self';")
	require.NotContains(t, local.csp, "unsafe")

	remote, err := New("https://api.example.com/graphql", "/dashboard/assets/", "")
	require.NoError(t, err)
	require.Contains(t, remote.csp, "connect-src 'self' https://api.example.com wss://api.example.com;")
	require.NotContains(t, string(remote.page), "Open the playground", "no link without a playground")
}

func TestHandlers(t *testing.T) {
	d, err := New("/graphql", "/dashboard/assets/", "/")
	require.NoError(t, err)
	tests := []struct {
		name, method, path string
		h                  http.Handler
		status             int
		contentType        string
	}{
		{"Page", http.MethodGet, "/dashboard", d.Page(), http.StatusOK, "text/html; charset=utf-8"},
		{"PageHead", http.MethodHead, "/dashboard", d.Page(), http.StatusOK, "text/html; charset=utf-8"},
		{"ErrPagePost", http.MethodPost, "/dashboard", d.Page(), http.StatusMethodNotAllowed, ""},
		{"Script", http.MethodGet, "/dashboard/assets/dashboard.js", d.Assets(), http.StatusOK, typeJS},
		{"Library", http.MethodGet, "/dashboard/assets/chart.umd.min.js", d.Assets(), http.StatusOK, typeJS},
		{"Licence", http.MethodGet, "/dashboard/assets/LICENSE-chart.js", d.Assets(), http.StatusOK, typeText},
		{"ErrQueriesAreNotAssets", http.MethodGet, "/dashboard/assets/queries/search.graphql", d.Assets(), http.StatusNotFound, ""},
		{"ErrUnknownAsset", http.MethodGet, "/dashboard/assets/../dashboard.go", d.Assets(), http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			require.Equal(t, tt.status, rec.Code)
			if tt.contentType != "" {
				require.Equal(t, tt.contentType, rec.Header().Get("Content-Type"))
				require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			}
		})
	}
}

// TestQueries: the page embeds every document, and each is one named operation (named
// operations are what the metrics and trusted documents know them by): queries, and the one
// subscription that makes the page live.
func TestQueries(t *testing.T) {
	queries, err := Queries()
	require.NoError(t, err)
	require.Len(t, queries, 9)
	d, err := New("/graphql", "/dashboard/assets/", "/")
	require.NoError(t, err)
	for file, doc := range queries {
		op := "query "
		if file == "rating-stats-changed.graphql" {
			op = "subscription "
		}
		require.True(t, strings.HasPrefix(doc, op+"Dashboard"), file)
		require.Equal(t, 1, strings.Count(doc, op), file)
		name := strings.TrimSuffix(file, ".graphql")
		require.Contains(t, string(d.page), "&#34;"+name+"&#34;", "the page carries %s", file)
	}
}
