package playground

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	testPrefix = "/playground/assets/"
	testQuery  = "query Example {\n  products(first: 5) { id name }\n}\n</script><script>alert(1)</script>"
)

func newTestPlayground(t *testing.T) *Playground {
	t.Helper()
	p, err := New("Vitrine <playground>", "/query", testPrefix, testQuery)
	require.NoError(t, err)
	return p
}

func get(t *testing.T, h http.Handler, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Result()
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func sri(body string) string {
	sum := sha512.Sum384([]byte(body))
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

func renderPage(t *testing.T, p *Playground) string {
	t.Helper()
	resp := get(t, p.Page(), "/playground")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	return readBody(t, resp)
}

// tagRE matches <script src> and <link href> tags that carry an integrity attribute.
var tagRE = regexp.MustCompile(`<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"[^>]*?\bintegrity="([^"]+)"`)

// tagAttrs returns src/href -> integrity for every tag tagRE matches.
func tagAttrs(page string) map[string]string {
	out := map[string]string{}
	for _, m := range tagRE.FindAllStringSubmatch(page, -1) {
		// html/template entity-encodes attribute values ("+" becomes "&#43;");
		// compare what the browser sees after decoding.
		out[html.UnescapeString(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

func TestPageHasNoRemoteAssets(t *testing.T) {
	page := renderPage(t, newTestPlayground(t))

	// Protocol-relative URLs ("//cdn...") load remotely just like https ones.
	remote := regexp.MustCompile(`(?:src|href)\s*=\s*["']?(?:https?:)?//`)
	require.Empty(t, remote.FindAllString(page, -1))
	require.NotContains(t, page, "cdn.jsdelivr.net")
	require.NotContains(t, page, "unpkg.com")
	require.NotContains(t, page, "http://")
	require.NotContains(t, page, "https://")
}

func TestPageReferencesAssetsWithMatchingIntegrity(t *testing.T) {
	p := newTestPlayground(t)
	page := renderPage(t, p)
	refs := tagAttrs(page)

	tests := []struct {
		name        string
		contentType string
	}{
		{"graphiql.min.js", "text/javascript; charset=utf-8"},
		{"graphiql.min.css", "text/css; charset=utf-8"},
		{"react.production.min.js", "text/javascript; charset=utf-8"},
		{"react-dom.production.min.js", "text/javascript; charset=utf-8"},
	}
	require.Len(t, refs, len(tests), "every asset tag should be one of ours and carry integrity")
	require.Len(t, regexp.MustCompile(`\b(?:src|href)=`).FindAllString(page, -1), len(tests), "no asset tag without integrity")

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url, integrity string
			for u, i := range refs {
				if strings.HasPrefix(u, testPrefix+tt.name+"?") {
					url, integrity = u, i
				}
			}
			require.NotEmpty(t, url, "page does not reference %s", tt.name)

			resp := get(t, p.Assets(), url)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, tt.contentType, resp.Header.Get("Content-Type"))
			require.Contains(t, resp.Header.Get("Cache-Control"), "immutable")
			require.Equal(t, integrity, sri(readBody(t, resp)))
		})
	}
}

func TestPageConfiguresEditor(t *testing.T) {
	page := renderPage(t, newTestPlayground(t))

	for _, want := range []string{
		"<title>Vitrine &lt;playground&gt;</title>",
		"isHeadersEditorEnabled: true",
		"shouldPersistHeaders: true",
		"defaultEditorToolsVisibility: 'headers'",
		"props.defaultQuery = ",
		"query Example",
		"ReactDOM.createRoot",
	} {
		require.Contains(t, page, want)
	}
	// The query is data, not markup: it must not be able to close the script.
	require.Equal(t, 4, strings.Count(page, "</script>"), "three asset scripts plus the inline bootstrap")
	require.NotContains(t, page, "<script>alert(1)")
	// The explorer plugin would fetch its bundle from a CDN.
	require.NotContains(t, page, "explorer")
}

func TestPageWithoutDefaultQueryKeepsGraphiQLDefault(t *testing.T) {
	p, err := New("t", "/query", testPrefix, "")
	require.NoError(t, err)
	require.NotContains(t, renderPage(t, p), "defaultQuery")
}

func TestAssets(t *testing.T) {
	p := newTestPlayground(t)

	tests := []struct {
		name        string
		target      string
		wantStatus  int
		contentType string
	}{
		{"js with prefix", testPrefix + "graphiql.min.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"css with prefix", testPrefix + "graphiql.min.css", http.StatusOK, "text/css; charset=utf-8"},
		{"react", testPrefix + "react.production.min.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"react-dom", testPrefix + "react-dom.production.min.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"license", testPrefix + "LICENSE-graphiql", http.StatusOK, "text/plain; charset=utf-8"},
		{"already stripped by caller", "/graphiql.min.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"unknown asset", testPrefix + "nope.js", http.StatusNotFound, ""},
		{"source map not shipped", testPrefix + "index.umd.js.map", http.StatusNotFound, ""},
		{"directory listing", testPrefix, http.StatusNotFound, ""},
		{"traversal", testPrefix + "../playground.go", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, p.Assets(), tt.target)
			require.Equal(t, tt.wantStatus, resp.StatusCode)
			if tt.contentType != "" {
				require.Equal(t, tt.contentType, resp.Header.Get("Content-Type"))
				require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			}
		})
	}
}

func TestAssetsConditionalGet(t *testing.T) {
	p := newTestPlayground(t)
	first := get(t, p.Assets(), testPrefix+"graphiql.min.css")
	etag := first.Header.Get("ETag")
	require.NotEmpty(t, etag)

	req := httptest.NewRequest(http.MethodGet, testPrefix+"graphiql.min.css", nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	p.Assets().ServeHTTP(rec, req)
	require.Equal(t, http.StatusNotModified, rec.Code)
}

func TestMethodNotAllowed(t *testing.T) {
	p := newTestPlayground(t)
	for name, h := range map[string]http.Handler{"page": p.Page(), "assets": p.Assets()} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, testPrefix+"graphiql.min.js", nil))
			require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
		})
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name, endpoint, prefix string
		wantErr                bool
	}{
		{"ok", "/query", "/playground/assets/", false},
		{"adds trailing slash", "/query", "/playground/assets", false},
		{"absolute endpoint", "https://api.example.com/query", "/a/", false},
		{"relative prefix", "/query", "assets/", true},
		{"empty endpoint", "", "/a/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New("t", tt.endpoint, tt.prefix, "")
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			target := strings.TrimSuffix(tt.prefix, "/") + "/graphiql.min.js"
			require.Equal(t, http.StatusOK, get(t, p.Assets(), target).StatusCode)
		})
	}
}

// TestPolicyCoversTheInlineCode hashes each inline <script> and <style> of the served page
// independently and requires the Content-Security-Policy to allow exactly those, with nothing
// loosened ('unsafe-inline', 'unsafe-eval', other origins).
func TestPolicyCoversTheInlineCode(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, connect string
	}{
		{"SameOrigin", "/query", "connect-src 'self'"},
		{"OtherOrigin", "https://api.example.com/graphql", "connect-src 'self' https://api.example.com wss://api.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New("Vitrine", tc.endpoint, testPrefix, testQuery)
			require.NoError(t, err)
			resp := get(t, p.Page(), "/")
			page := readBody(t, resp)
			csp := resp.Header.Get("Content-Security-Policy")
			directives := map[string]string{}
			for _, d := range strings.Split(csp, "; ") {
				name, value, _ := strings.Cut(d, " ")
				directives[name] = value
			}
			require.Equal(t, "'none'", directives["default-src"])
			require.Equal(t, "'none'", directives["frame-ancestors"])
			require.Contains(t, csp, tc.connect)
			require.NotContains(t, csp, "unsafe")
			inline := regexp.MustCompile(`(?s)<(script|style)(\s[^>]*)?>(.*?)</(script|style)>`)
			found := 0
			for _, m := range inline.FindAllStringSubmatch(page, -1) {
				if strings.Contains(m[2], "src=") {
					continue // an embedded asset, allowed as 'self' and pinned by SRI
				}
				found++
				sum := sha256.Sum256([]byte(m[3]))
				hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
				require.Contains(t, strings.Fields(directives[m[1]+"-src"]), hash, "inline %s not allowed by the policy", m[1])
			}
			require.Equal(t, 2, found, "the page has one inline script and one inline style")
		})
	}
}

// TestWithoutIntrospection: for a server that refuses introspection the page gives GraphiQL
// a null schema (so it sends no introspection query) and tells the user why.
func TestWithoutIntrospection(t *testing.T) {
	plain := renderPage(t, newTestPlayground(t))
	require.NotContains(t, plain, "props.schema = null")
	require.NotContains(t, plain, "Introspection is disabled")

	p, err := New("Vitrine", "/query", testPrefix, testQuery, WithoutIntrospection())
	require.NoError(t, err)
	page := renderPage(t, p)
	require.Contains(t, page, "props.schema = null;")
	require.Contains(t, page, "Introspection is disabled on this server")
	require.Less(t, strings.Index(page, "props.schema = null"), strings.Index(page, "React.createElement(GraphiQL, props)"))
}
