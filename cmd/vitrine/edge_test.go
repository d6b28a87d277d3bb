package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/redistest"
)

const topDoc = "query Top {\n  products(first: 3) { totalCount edges { node { name } } }\n}\n"

// TestServeProductionGuardRails starts `vitrine serve` as production would run it: trusted
// documents only, Redis for rate limits, HTTP caching, and checks the wiring end to end.
func TestServeProductionGuardRails(t *testing.T) {
	rdb, prefix := redistest.Client(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "top.graphql"), []byte(topDoc), 0o644))
	env := map[string]string{
		"VITRINE_ENV":                "production",
		"VITRINE_JWT_SECRET":         strings.Repeat("s", 40),
		"VITRINE_DATA_DIR":           t.TempDir(),
		"VITRINE_REDIS_URL":          "redis://" + rdb.Options().Addr + "/" + strconv.Itoa(rdb.Options().DB),
		"VITRINE_REDIS_PREFIX":       prefix,
		"VITRINE_TRUSTED_DOCUMENTS":  dir,
		"VITRINE_CACHE_MAX_AGE":      "45s",
		"VITRINE_RATE_LIMIT_QUERIES": "3",
	}
	// Production migrates deliberately, before serving.
	require.NoError(t, run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, nil, io.Discard, nil))
	base, logs := startServer(t, env)
	require.Contains(t, logs.String(), "trusted documents only")
	endpoint := base + "/graphql"
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": persisted.Hash(topDoc)}})

	res, err := http.Get(endpoint + "?extensions=" + url.QueryEscape(string(ext)))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "public, max-age=45", res.Header.Get("Cache-Control"))
	require.NotEmpty(t, res.Header.Get("ETag"))

	gql := &gqltest.Client{URL: endpoint}
	refused := gql.Do(t, `{ products(first: 1) { totalCount } }`, nil)
	require.Len(t, refused.Errors, 1)
	require.Equal(t, persisted.CodeNotAllowed, refused.Errors[0].Code())

	var out struct{ Products struct{ TotalCount int } }
	gql.MustData(t, &out, topDoc, nil)

	// Three requests per minute were spent above; the bucket lives in Redis.
	limited := gql.Do(t, topDoc, nil)
	require.Equal(t, http.StatusTooManyRequests, limited.Status)
	require.Equal(t, "RATE_LIMITED", limited.Errors[0].Code())
	keys, err := rdb.Keys(context.Background(), "*"+prefix+"requests:*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys, "request buckets are kept in Redis")
	// The cost throttle is on by default and follows the rate limits into Redis.
	keys, err = rdb.Keys(context.Background(), "*"+prefix+"cost:*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys, "cost buckets are kept in Redis")
}

func TestServeRefusesBrokenGuardRails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stale.graphql"), []byte("{ products { nope } }"), 0o644))
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"StaleTrustedDocument", map[string]string{"VITRINE_TRUSTED_DOCUMENTS": dir}, `VITRINE_TRUSTED_DOCUMENTS: trusted documents: stale.graphql`},
		{"RedisDown", map[string]string{"VITRINE_REDIS_URL": "redis://127.0.0.1:1/0"}, "VITRINE_REDIS_URL: redis does not answer"},
		{"BadProxies", map[string]string{"VITRINE_TRUSTED_PROXIES": "everyone"}, "VITRINE_TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_ENV": "production", "VITRINE_JWT_SECRET": strings.Repeat("s", 40),
				"VITRINE_AUTO_MIGRATE": "true"}
			for k, v := range tt.env {
				env[k] = v
			}
			err := run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, &bytes.Buffer{}, nil)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestDocumentsHash(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "top.graphql"), []byte(topDoc), 0o644))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"documents", "hash", dir}, os.Getenv, nil, &out, nil))
	var m manifest
	require.NoError(t, json.Unmarshal(out.Bytes(), &m))
	require.Equal(t, []persisted.Document{{ID: persisted.Hash(topDoc), File: "top.graphql", Body: topDoc,
		Operations: []persisted.Operation{{Name: "Top", Type: "query"}}}}, m.Documents)

	err := run(context.Background(), []string{"documents", "list"}, os.Getenv, nil, &out, nil)
	require.ErrorContains(t, err, "usage: vitrine documents hash PATH")
}
