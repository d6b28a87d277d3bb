package webasset_test

import (
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/webasset"
)

func TestSet(t *testing.T) {
	fsys := fstest.MapFS{
		"assets/app.js":   {Data: []byte("console.log(1)")},
		"assets/stray.js": {Data: []byte("not listed")},
	}
	_, err := webasset.Load(fsys, "assets", "relative/", map[string]string{"app.js": "text/javascript"})
	require.Error(t, err, "the prefix must be absolute")
	_, err = webasset.Load(fsys, "assets", "/a/", map[string]string{"missing.js": "text/javascript"})
	require.Error(t, err, "a listed file must exist")

	s, err := webasset.Load(fsys, "assets", "/a", map[string]string{"app.js": "text/javascript"})
	require.NoError(t, err)
	sum := sha512.Sum384([]byte("console.log(1)"))
	ref := s.Ref("app.js")
	require.Equal(t, "sha384-"+base64.StdEncoding.EncodeToString(sum[:]), ref.Integrity)
	require.True(t, strings.HasPrefix(string(ref.URL), "/a/app.js?v="), ref.URL)

	serve := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec
	}
	rec := serve(http.MethodGet, string(ref.URL))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "console.log(1)", rec.Body.String())
	require.Equal(t, "text/javascript", rec.Header().Get("Content-Type"))
	require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	require.Contains(t, rec.Header().Get("Cache-Control"), "immutable")
	require.Equal(t, http.StatusNotFound, serve(http.MethodGet, "/a/stray.js").Code, "only listed files are served")
	rec = serve(http.MethodPost, "/a/app.js")
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
}

func TestConnectSources(t *testing.T) {
	for _, tc := range []struct{ endpoint, want string }{
		{"/graphql", "'self'"},
		{"https://api.shop.example/graphql", "'self' https://api.shop.example wss://api.shop.example"},
		{"http://localhost:8080/graphql", "'self' http://localhost:8080 ws://localhost:8080"},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			got, err := webasset.ConnectSources(tc.endpoint)
			if err != nil || got != tc.want {
				t.Fatalf("ConnectSources(%q) = %q, %v; want %q", tc.endpoint, got, err, tc.want)
			}
		})
	}
	if _, err := webasset.ConnectSources("http://[::1"); err == nil {
		t.Fatal("a malformed endpoint was accepted")
	}
}
