package main

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/dashboard"
	"github.com/vitrinehq/vitrine/internal/gqltest"
)

// TestDashboardPage checks what the server sends for /dashboard without a browser: a strict
// policy, no-cache page, immutable assets whose integrity matches their bytes, and the
// switch that turns it off.
func TestDashboardPage(t *testing.T) {
	base, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir()})
	status, h, body := httpGet(t, base+"/dashboard")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "no-cache", h.Get("Cache-Control"))
	require.Contains(t, h.Get("Content-Security-Policy"), "script-src 'self';")
	require.NotContains(t, h.Get("Content-Security-Policy"), "unsafe")
	// Every script and stylesheet carries the SRI hash of the bytes the server sends.
	refs := regexp.MustCompile(`(?:src|href)="(/dashboard/assets/[^"?]+\?v=[0-9a-f]+)"(?: integrity="([^"]+)")?`).FindAllStringSubmatch(body, -1)
	require.Len(t, refs, 6, "script, library, stylesheet, icon and the licence (twice: link text and notice)")
	integrity := 0
	for _, ref := range refs {
		status, h, asset := httpGet(t, base+ref[1])
		require.Equal(t, http.StatusOK, status, ref[1])
		require.Contains(t, h.Get("Cache-Control"), "immutable")
		if ref[2] != "" {
			sum := sha512.Sum384([]byte(asset))
			require.Equal(t, "sha384-"+base64.StdEncoding.EncodeToString(sum[:]), html.UnescapeString(ref[2]), ref[1])
			integrity++
		}
	}
	require.Equal(t, 3, integrity, "the two scripts and the stylesheet")
	status, _, _ = httpGet(t, base+"/dashboard/assets/nope.js")
	require.Equal(t, http.StatusNotFound, status)

	off, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_DASHBOARD": "false"})
	status, _, _ = httpGet(t, off+"/dashboard")
	require.Equal(t, http.StatusNotFound, status)
}

// TestDashboardWithTrustedDocuments: a server that runs only trusted documents serves the
// dashboard when they include its queries (which also proves the queries valid against the
// schema: the server validates trusted documents at start), and turns it off, saying why, when
// they do not.
func TestDashboardWithTrustedDocuments(t *testing.T) {
	base, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_TRUSTED_DOCUMENTS": "../../internal/dashboard/queries"})
	status, _, _ := httpGet(t, base+"/dashboard")
	require.Equal(t, http.StatusOK, status)
	queries, err := dashboard.Queries()
	require.NoError(t, err)
	var out struct{ RatingStats struct{ Count int } }
	(&gqltest.Client{URL: base + "/graphql"}).MustData(t, &out, queries["rating-stats.graphql"], nil)
	require.Positive(t, out.RatingStats.Count)
	requireTrustedSubscription(t, base, queries["rating-stats-changed.graphql"])

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.graphql"), []byte("query App { categories { totalCount } }\n"), 0o644))
	base, logs := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_TRUSTED_DOCUMENTS": dir})
	status, _, _ = httpGet(t, base+"/dashboard")
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, logs.String(), "the dashboard is off")
}

// requireTrustedSubscription: on a server that runs only trusted documents, the dashboard's
// subscription is taken over graphql-transport-ws while one outside the set is refused, both
// sent on one socket (the refusal arrives first, so the trusted one had its turn).
func requireTrustedSubscription(t *testing.T, base, doc string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer c.CloseNow()
	send := func(m map[string]any) {
		b, err := json.Marshal(m)
		require.NoError(t, err)
		require.NoError(t, c.Write(ctx, coderws.MessageText, b))
	}
	send(map[string]any{"type": "connection_init"})
	send(map[string]any{"id": "trusted", "type": "subscribe", "payload": map[string]any{"query": doc, "variables": map[string]any{"scope": nil}}})
	send(map[string]any{"id": "other", "type": "subscribe", "payload": map[string]any{"query": "subscription { ratingStatsChanged { count } }"}})
	for {
		_, b, err := c.Read(ctx)
		require.NoError(t, err, "no refusal of the untrusted subscription")
		var m struct {
			ID, Type string
			Payload  json.RawMessage
		}
		require.NoError(t, json.Unmarshal(b, &m))
		// A refusal is an error message, or (gqlgen's way) a next carrying errors.
		refused := m.Type == "error" || m.Type == "complete" || strings.Contains(string(m.Payload), `"errors"`)
		require.False(t, m.ID == "trusted" && refused, "the dashboard's subscription was refused: %s", b)
		if m.ID == "other" {
			require.True(t, refused, "%s", b)
			require.Contains(t, string(b), "PERSISTED_QUERY_NOT_ALLOWED")
			return
		}
	}
}
