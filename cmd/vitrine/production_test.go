package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
)

// TestProductionPlaygroundWithoutIntrospection: in production (introspection off by default)
// `/` is a working playground that sends no introspection query and says why it has no
// schema, and an introspection query is the client's validation failure, not a server error.
func TestProductionPlaygroundWithoutIntrospection(t *testing.T) {
	base, logs := startServer(t, map[string]string{
		"VITRINE_ENV": "production", "VITRINE_JWT_SECRET": strings.Repeat("s", 40),
		"VITRINE_AUTO_MIGRATE": "true", "VITRINE_DATA_DIR": t.TempDir(),
	})
	res, err := http.Get(base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(page), "props.schema = null")
	require.Contains(t, string(page), "Introspection is disabled on this server")

	r := (&gqltest.Client{URL: base + "/graphql"}).Do(t, `{ __schema { queryType { name } } }`, nil)
	require.Len(t, r.Errors, 1)
	require.Equal(t, "GRAPHQL_VALIDATION_FAILED", r.Errors[0].Code())
	require.Contains(t, r.Errors[0].Message, "introspection is disabled on this server")
	require.NotContains(t, logs.String(), `"level":"ERROR"`)
}
