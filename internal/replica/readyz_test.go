package replica

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

// What /readyz renders for replicas that cannot serve: a short state for the public, never
// the driver's error (which names hosts and ports), and "not a standby" for a replica URL that
// points at a primary.
func TestStatusForPublicReadiness(t *testing.T) {
	primaryURL := storetest.URL(t)
	primary, err := entsql.Open(dialect.Postgres, primaryURL)
	require.NoError(t, err)
	t.Cleanup(func() { primary.Close() })

	// A port nothing listens on: the replica is down with "connection refused".
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedPort := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	closedURL := "postgres://postgres@127.0.0.1:" + strconv.Itoa(closedPort) + "/postgres?sslmode=disable"

	tests := []struct {
		name, url, status, reason string
	}{
		{"ReplicaIsAPrimary", primaryURL, "not_replica", "not a standby"},
		{"ReplicaDown", closedURL, "down", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(primary, []string{tt.url}, nil, Options{})
			require.NoError(t, err)
			t.Cleanup(func() { r.closeReplicas() })
			r.Check(context.Background())
			st := r.Status(context.Background())
			require.Len(t, st, 2)
			require.Equal(t, tt.status, st[1].Status, st[1].Error)
			require.False(t, st[1].InRotation)
			require.Contains(t, st[1].Error, tt.reason, "the operator's reason is kept for the log")

			rendered, err := json.Marshal(st)
			require.NoError(t, err)
			for _, leak := range []string{tt.reason, "Scan", "dial", "sql:", "pq:"} {
				require.NotContains(t, string(rendered), leak)
			}
		})
	}
}
