package persisted_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/internal/persisted"
)

func TestHashIsTheHexSHA256OfTheExactText(t *testing.T) {
	// sha256("") and sha256("{ a }") are fixed points: any change of algorithm or encoding fails.
	require.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", persisted.Hash(""))
	require.Len(t, persisted.Hash("{ a }"), 64)
	require.NotEqual(t, persisted.Hash("{ a }"), persisted.Hash("{ a } "), "whitespace is part of the document")
}

var schema = gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphql", Input: `
type Query { product(slug: String!): Product }
type Product { name: String! }
`})

const trustedDoc = "query Product($slug: String!) { product(slug: $slug) { name } }\n"

func loadTrusted(t *testing.T, files map[string]string) (*persisted.Trusted, error) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return persisted.Load(dir, schema, nil)
}

func apq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestTrustedAdmitsOnlyRegisteredDocuments(t *testing.T) {
	tr, err := loadTrusted(t, map[string]string{"shop/product.graphql": trustedDoc, "README.md": "not a document"})
	require.NoError(t, err)
	require.Equal(t, 1, tr.Len())
	id := persisted.Hash(trustedDoc)
	for _, tc := range []struct {
		name      string
		raw       graphql.RawParams
		code      string // "" admits
		wantQuery string
	}{
		{"a trusted hash becomes its text", graphql.RawParams{Extensions: apq(id)}, "", trustedDoc},
		{"the sha256: prefix is accepted", graphql.RawParams{Extensions: apq("sha256:" + id)}, "", trustedDoc},
		{"the exact trusted text is admitted", graphql.RawParams{Query: trustedDoc}, "", trustedDoc},
		{"hash with matching text is admitted", graphql.RawParams{Query: trustedDoc, Extensions: apq(id)}, "", trustedDoc},
		{"no query is left to gqlgen", graphql.RawParams{}, "", ""},
		{"unknown hash is not allowed", graphql.RawParams{Extensions: apq(persisted.Hash("{ x }"))}, persisted.CodeNotAllowed, ""},
		{"other text is not allowed", graphql.RawParams{Query: "{ product(slug: \"a\") { name } }"}, persisted.CodeNotAllowed, ""},
		{"text not matching its hash is not allowed", graphql.RawParams{Query: trustedDoc + " ", Extensions: apq(id)}, persisted.CodeNotAllowed, ""},
		{"a malformed extension is a bad request", graphql.RawParams{Extensions: map[string]any{"persistedQuery": map[string]any{"version": 2, "sha256Hash": id}}}, "BAD_REQUEST", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.raw
			gerr := tr.MutateOperationParameters(t.Context(), &raw)
			if tc.code == "" {
				require.Nil(t, gerr)
				require.Equal(t, tc.wantQuery, raw.Query)
				return
			}
			require.NotNil(t, gerr)
			require.Equal(t, tc.code, gerr.Extensions["code"])
		})
	}
}

func TestLoadRefusesDocumentsTheSchemaRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"unknown field", map[string]string{"bad.graphql": "{ product(slug: \"a\") { price } }"}, "bad.graphql"},
		{"fragment only", map[string]string{"frag.graphql": "fragment F on Product { name }"}, "frag.graphql"},
		{"empty directory", map[string]string{"notes.txt": "x"}, "no .graphql file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadTrusted(t, tc.files)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestDocumentIDsRewritesIntoTheAPQExtension(t *testing.T) {
	var seen *http.Request
	var body string
	h := persisted.DocumentIDs(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
	}))
	want := `{"persistedQuery":{"sha256Hash":"abc","version":1}}`

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/graphql?documentId=sha256:abc&variables=%7B%7D", nil))
	require.Equal(t, "", seen.URL.Query().Get("documentId"))
	require.JSONEq(t, want, seen.URL.Query().Get("extensions"))
	require.Equal(t, "{}", seen.URL.Query().Get("variables"))

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"documentId":"sha256:abc","variables":{"a":1}}`)))
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.NotContains(t, got, "documentId")
	require.JSONEq(t, want, string(got["extensions"]))
	require.JSONEq(t, `{"a":1}`, string(got["variables"]))

	for _, untouched := range []string{
		`{"documentId":"sha256:abc","extensions":{"x":1}}`, // extensions win
		`{"query":"{ a }"}`,
		`{"documentId":`, // broken JSON is the transport's to report
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(untouched)))
		require.Equal(t, untouched, body)
	}
}
