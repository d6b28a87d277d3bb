package throttle

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLocalBuckets(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	b := NewLocal(100, 10, func() time.Time { return now })
	ctx := context.Background()
	spend := func(key string, points int) Spend {
		t.Helper()
		s, err := b.Spend(ctx, key, points)
		require.NoError(t, err)
		return s
	}

	require.Equal(t, Spend{Allowed: true, Status: Status{100, 60, 10}}, spend("a", 40))
	require.Equal(t, Spend{Allowed: true, Status: Status{100, 0, 10}}, spend("a", 60))
	require.Equal(t, Spend{RetryAfter: 500 * time.Millisecond, Status: Status{100, 0, 10}}, spend("a", 5), "5 points at 10/s")
	require.Equal(t, Spend{Allowed: true, Status: Status{100, 100, 10}}, spend("b", 0), "another key, and a free operation")
	now = now.Add(1500 * time.Millisecond)
	require.Equal(t, Spend{Allowed: true, Status: Status{100, 10, 10}}, spend("a", 5), "15 restored, 5 spent")
	require.Equal(t, Spend{RetryAfter: 9 * time.Second, Status: Status{100, 10, 10}}, spend("a", 1_000),
		"more than the bucket costs a full bucket")
	now = now.Add(time.Hour)
	require.Equal(t, Spend{Allowed: true, Status: Status{100, 0, 10}}, spend("a", 1_000))
	require.Equal(t, 1, b.buckets.Len(), "full buckets are forgotten")
}

func TestGate(t *testing.T) {
	ctx := context.Background()
	// Acquiring with a context that is already done always fails; this one ends soon, so an
	// operation that finds no room fails fast, and one that finds room gets it.
	soon := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	g := NewGate(1_000, 100)

	cheap, err := g.Enter(done, 99)
	require.NoError(t, err, "cheap operations never wait, even with no time left")
	cheap()

	first, err := g.Enter(ctx, 600)
	require.NoError(t, err)
	_, err = g.Enter(soon(), 500)
	require.ErrorIs(t, err, context.DeadlineExceeded, "600 + 500 exceed the capacity")
	second, err := g.Enter(soon(), 400)
	require.NoError(t, err, "600 + 400 fit")
	_, err = g.Enter(soon(), 100)
	require.Error(t, err, "the gate is full")
	for range 3 {
		r, err := g.Enter(done, 99)
		require.NoError(t, err, "cheap operations pass a full gate")
		r()
	}
	first()
	second()

	huge, err := g.Enter(ctx, 50_000)
	require.NoError(t, err, "an operation over the capacity takes all of it")
	_, err = g.Enter(soon(), 100)
	require.Error(t, err, "and runs alone")
	huge()
	r, err := g.Enter(soon(), 1_000)
	require.NoError(t, err, "everything was given back")
	r()
}
