package config

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the README's configuration table")

const (
	tableBegin = "<!-- BEGIN configuration table: generated from internal/config by `go test ./internal/config -run TestREADME -update`; do not edit -->\n"
	tableEnd   = "<!-- END configuration table -->"
)

// TestREADMEConfigurationTable fails when the README's configuration table is not the one the
// flag definitions generate: a setting added, renamed or re-described without the README.
func TestREADMEConfigurationTable(t *testing.T) {
	want, err := Markdown()
	require.NoError(t, err)
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(raw)
	begin := strings.Index(readme, tableBegin)
	end := strings.Index(readme, tableEnd)
	require.True(t, begin >= 0 && end > begin, "README.md must hold the table between %q and %q", tableBegin, tableEnd)
	got := readme[begin+len(tableBegin) : end]
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(readme[:begin+len(tableBegin)]+want+readme[end:]), 0o644))
		return
	}
	require.Equal(t, want, got, "README.md's configuration table is stale: run go test ./internal/config -run TestREADME -update")
}

// TestMarkdownListsEverySetting: each flag of serve is a row, with its variable, and the
// defaults that depend on the environment are spelled out.
func TestMarkdownListsEverySetting(t *testing.T) {
	table, err := Markdown()
	require.NoError(t, err)
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	Define(fs, func(string) string { return "" }, ScopeServe)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		require.Contains(t, table, "| `-"+f.Name+"` |")
	})
	require.Equal(t, n+2, strings.Count(table, "\n"), "one row per flag after the header")
	for _, row := range []string{
		"| `VITRINE_INTROSPECTION` | `-introspection` | on in development, off in production |",
		"| `VITRINE_REQUEST_TIMEOUT` | `-request-timeout` | `10s` |",
		"| `VITRINE_DB_CONN_MAX_LIFETIME` | `-db-conn-max-lifetime` | `30m` |",
		"| `DATABASE_URL` | `-database-url` | (empty) |",
	} {
		require.Contains(t, table, row)
	}
}
