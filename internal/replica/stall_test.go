package replica

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAStalledReplicaLeavesTheRotation freezes the replica's WAL receiver, as a network
// partition or a stuck sender would: the replica still answers, reports a running receiver and
// has replayed all it received, but no longer receives. It must leave the rotation within
// MaxLag plus one check interval of the first write it misses, and come back once it catches up.
func TestAStalledReplicaLeavesTheRotation(t *testing.T) {
	const maxLag, interval = time.Second, 100 * time.Millisecond
	f := newFixture(t, Options{MaxLag: maxLag, CheckInterval: interval})
	r, ctx := f.router, context.Background()
	waitFor(t, "the replica joins the rotation", func() bool { return inRotation(r) })
	require.NoError(t, r.Exec(ctx, "CREATE TABLE stall_probe (id int)", []any{}, nil))
	waitFor(t, "the table reaches the replica", func() bool {
		var n int
		return r.replicas[0].db.QueryRow(`SELECT count(*) FROM stall_probe`).Scan(&n) == nil
	})

	resume := f.pg.StallStreaming(t)

	t.Run("WhileThePrimaryIsIdleTheStalledReplicaMissesNothing", func(t *testing.T) {
		time.Sleep(maxLag + 3*interval)
		require.True(t, inRotation(r))
		require.Equal(t, "ok", r.Status(ctx)[1].Status)
	})
	t.Run("AfterAWriteItMissesItLeavesWithinMaxLagPlusOneInterval", func(t *testing.T) {
		wrote := time.Now()
		require.NoError(t, r.Exec(ctx, "INSERT INTO stall_probe VALUES (1)", []any{}, nil))
		waitFor(t, "the stalled replica leaves the rotation", func() bool { return !inRotation(r) })
		took := time.Since(wrote)
		t.Logf("left the rotation %v after the first write it missed (max lag %v, check interval %v)", took, maxLag, interval)
		// The bound is MaxLag + one interval; the rest is slack for a busy shared machine.
		require.Less(t, took, maxLag+interval+time.Second)
		st := r.Status(ctx)[1]
		require.Equal(t, "lagging", st.Status)
		require.Greater(t, st.LagSeconds, maxLag.Seconds())
		role, _ := rawRead(ctx, t, r)
		require.Equal(t, "primary", role)
	})
	t.Run("ItRejoinsOnceStreamingResumesAndItCatchesUp", func(t *testing.T) {
		resume()
		waitFor(t, "the replica rejoins the rotation", func() bool { return inRotation(r) })
		var n int
		require.NoError(t, r.replicas[0].db.QueryRow(`SELECT count(*) FROM stall_probe`).Scan(&n))
		require.Equal(t, 1, n)
	})
}
