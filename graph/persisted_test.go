package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/redistest"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/server"
)

const productsDoc = `query FirstProducts { products(first: 2, orderBy: [{field: PRICE, direction: ASC}]) { totalCount edges { node { name } } } }`

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestAutomaticPersistedQueries runs Apollo's APQ protocol through the HTTP handler on both
// caches: an unknown hash asks for the document, the document registers it, then the hash
// alone runs it over GET and POST.
func TestAutomaticPersistedQueries(t *testing.T) {
	e := edgeEnv(t)
	caches := []struct {
		name  string
		cache func(t *testing.T) graphql.Cache[string]
	}{
		{"LRU", func(*testing.T) graphql.Cache[string] { return persisted.NewLocal() }},
		{"Redis", func(t *testing.T) graphql.Cache[string] {
			rdb, prefix := redistest.Client(t)
			return persisted.NewShared(rdb, prefix, quiet)
		}},
	}
	for _, c := range caches {
		t.Run(c.name, func(t *testing.T) {
			endpoint := serveEdge(t, e, server.Options{Documents: extension.AutomaticPersistedQuery{Cache: c.cache(t)}})
			hash := persisted.Hash(productsDoc)

			t.Run("UnknownHashIsPersistedQueryNotFound", func(t *testing.T) {
				for _, r := range []edgeReply{
					post(t, endpoint, map[string]any{"extensions": apq(hash)}, nil),
					get(t, endpoint, map[string]any{"extensions": apq(hash)}, nil),
				} {
					require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", r.code(t))
					require.Equal(t, "PersistedQueryNotFound", r.Errors[0].Message)
				}
			})
			t.Run("HashMismatchIsRefused", func(t *testing.T) {
				r := post(t, endpoint, map[string]any{"query": productsDoc, "extensions": apq(persisted.Hash(productsDoc + " "))}, nil)
				require.Equal(t, "BAD_REQUEST", r.code(t))
				require.Contains(t, r.Errors[0].Message, "hash does not match")
				// and nothing was registered under the wrong hash
				r = post(t, endpoint, map[string]any{"extensions": apq(persisted.Hash(productsDoc + " "))}, nil)
				require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", r.code(t))
			})
			registered := post(t, endpoint, map[string]any{"query": productsDoc, "extensions": apq(hash)}, nil).ok(t)
			t.Run("HashOnlyGET", func(t *testing.T) {
				r := get(t, endpoint, map[string]any{"extensions": apq(hash)}, nil).ok(t)
				require.JSONEq(t, string(registered.Data), string(r.Data))
			})
			t.Run("HashOnlyPOST", func(t *testing.T) {
				r := post(t, endpoint, map[string]any{"extensions": apq(hash)}, nil).ok(t)
				require.JSONEq(t, string(registered.Data), string(r.Data))
			})
			t.Run("DocumentID", func(t *testing.T) {
				r := get(t, endpoint, map[string]any{"documentId": "sha256:" + hash}, nil).ok(t)
				require.JSONEq(t, string(registered.Data), string(r.Data))
				r = post(t, endpoint, map[string]any{"documentId": "sha256:" + hash}, nil).ok(t)
				require.JSONEq(t, string(registered.Data), string(r.Data))
			})
		})
	}
}

// TestAutomaticPersistedQueriesSharedByReplicas registers a document through one handler and
// runs it by hash through another that shares the Redis (and nothing else).
func TestAutomaticPersistedQueriesSharedByReplicas(t *testing.T) {
	e := edgeEnv(t)
	rdb, prefix := redistest.Client(t)
	replica := func() string {
		return serveEdge(t, e, server.Options{Documents: extension.AutomaticPersistedQuery{Cache: persisted.NewShared(rdb, prefix, quiet)}})
	}
	a, b := replica(), replica()
	hash := persisted.Hash(productsDoc)
	require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", get(t, b, map[string]any{"extensions": apq(hash)}, nil).code(t))
	post(t, a, map[string]any{"query": productsDoc, "extensions": apq(hash)}, nil).ok(t)
	get(t, b, map[string]any{"extensions": apq(hash)}, nil).ok(t)
	post(t, b, map[string]any{"extensions": apq(hash)}, nil).ok(t)
}

// TestTrustedDocuments serves only the documents of a directory.
func TestTrustedDocuments(t *testing.T) {
	e := edgeEnv(t)
	dir := t.TempDir()
	productDoc := "query Product($id: ID!) {\n  product(id: $id) { name }\n}\n"
	writeFile(t, filepath.Join(dir, "products.graphql"), productsDoc)
	writeFile(t, filepath.Join(dir, "nested", "product.graphql"), productDoc)
	writeFile(t, filepath.Join(dir, "README.md"), "not a document")
	trusted, err := persisted.Load(dir, graph.NewExecutableSchema(graph.Config{}).Schema(), limits.Defaults().Rules(false))
	require.NoError(t, err)
	require.Equal(t, 2, trusted.Len())
	endpoint := serveEdge(t, e, server.Options{Documents: trusted})

	t.Run("ByHashOverGETAndPOST", func(t *testing.T) {
		get(t, endpoint, map[string]any{"extensions": apq(persisted.Hash(productsDoc))}, nil).ok(t)
		post(t, endpoint, map[string]any{"extensions": apq(persisted.Hash(productsDoc))}, nil).ok(t)
		vars := map[string]any{"id": relay.Encode(e.fx.products[3].ID)}
		r := post(t, endpoint, map[string]any{"extensions": apq(persisted.Hash(productDoc)), "variables": vars}, nil).ok(t)
		require.JSONEq(t, `{"product": {"name": "Waterproof Trail Jacket"}}`, string(r.Data))
	})
	t.Run("ByDocumentID", func(t *testing.T) {
		vars := map[string]any{"id": relay.Encode(e.fx.products[3].ID)}
		for _, r := range []edgeReply{
			post(t, endpoint, map[string]any{"documentId": "sha256:" + persisted.Hash(productDoc), "variables": vars}, nil),
			get(t, endpoint, map[string]any{"documentId": "sha256:" + persisted.Hash(productDoc), "variables": vars}, nil),
		} {
			require.JSONEq(t, `{"product": {"name": "Waterproof Trail Jacket"}}`, string(r.ok(t).Data))
		}
		r := post(t, endpoint, map[string]any{"documentId": "sha256:" + persisted.Hash("{ me { email } }")}, nil)
		require.Equal(t, persisted.CodeNotAllowed, r.code(t))
	})
	t.Run("ByIdenticalText", func(t *testing.T) {
		post(t, endpoint, map[string]any{"query": productsDoc}, nil).ok(t)
		post(t, endpoint, map[string]any{"query": productsDoc, "extensions": apq(persisted.Hash(productsDoc))}, nil).ok(t)
	})
	refused := []struct {
		name    string
		payload map[string]any
		message string
	}{
		{"OtherText", map[string]any{"query": `{ products(first: 1) { totalCount } }`}, "only runs its trusted documents"},
		{"TrustedTextReformatted", map[string]any{"query": productsDoc + "\n"}, "only runs its trusted documents"},
		{"UnknownHash", map[string]any{"extensions": apq(persisted.Hash("{ me { email } }"))}, "no trusted document has the hash"},
		{"UnknownTextUnderATrustedHash", map[string]any{"query": `{ me { email } }`, "extensions": apq(persisted.Hash(productsDoc))}, "does not match"},
		{"APQRegistrationOfNewText", map[string]any{"query": `{ me { email } }`, "extensions": apq(persisted.Hash(`{ me { email } }`))}, "no trusted document has the hash"},
		{"Introspection", map[string]any{"query": `{ __schema { types { name } } }`}, "only runs its trusted documents"},
	}
	for _, c := range refused {
		t.Run("Refuses"+c.name, func(t *testing.T) {
			for _, r := range []edgeReply{post(t, endpoint, c.payload, nil), get(t, endpoint, c.payload, nil)} {
				require.Equal(t, persisted.CodeNotAllowed, r.code(t))
				require.Contains(t, r.Errors[0].Message, c.message)
				require.Contains(t, []string{"", "null"}, string(r.Data), "nothing ran")
				require.Equal(t, http.StatusOK, r.status)
			}
		})
	}
	t.Run("MalformedExtensionIsBadRequest", func(t *testing.T) {
		r := post(t, endpoint, map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 2, "sha256Hash": "x"}}}, nil)
		require.Equal(t, "BAD_REQUEST", r.code(t))
	})
}

// TestTrustedDocumentsLoad fails at start on anything a frontend team could get wrong.
func TestTrustedDocumentsLoad(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	cases := []struct {
		name, file, body, want string
	}{
		{"UnknownField", "stale.graphql", "{ products(first: 1) { nope } }", `stale.graphql: input:1:24: Cannot query field "nope"`},
		{"SyntaxError", "broken.graphql", "{ products(first: 1) { ", "broken.graphql"},
		{"FragmentsOnly", "frag.graphql", "fragment F on Product { name }", "frag.graphql"},
		{"OverTheDepthLimit", "deep.graphql", "{ categories(first: 1) { edges { node { " + nested("parent", 20, "name") + " } } } }", "deep.graphql"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, c.file), c.body)
			_, err := persisted.Load(dir, schema, limits.Defaults().Rules(false))
			require.ErrorContains(t, err, c.want)
		})
	}
	t.Run("EmptyDirectory", func(t *testing.T) {
		_, err := persisted.Load(t.TempDir(), schema, nil)
		require.ErrorContains(t, err, "no .graphql file")
	})
	t.Run("Missing", func(t *testing.T) {
		_, err := persisted.Load(filepath.Join(t.TempDir(), "nope"), schema, nil)
		require.ErrorContains(t, err, "no such file")
	})
	t.Run("SingleFile", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "one.graphql")
		writeFile(t, file, productsDoc)
		docs, err := persisted.Read(file, schema, nil)
		require.NoError(t, err)
		require.Len(t, docs, 1)
		require.Equal(t, persisted.Document{ID: persisted.Hash(productsDoc), File: "one.graphql", Body: productsDoc,
			Operations: []persisted.Operation{{Name: "FirstProducts", Type: "query"}}}, docs[0])
	})
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
}
