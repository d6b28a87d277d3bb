package graphql

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStreamWait(t *testing.T) {
	t.Run("wait takes the event the next call returns", func(t *testing.T) {
		ctx, w := WithStreamWait(context.Background())
		res := make(chan int)
		next := streamWaitFor(ctx, res)
		go func() { res <- 7 }()
		w.Wait(ctx)
		require.Empty(t, res)
		v, ok := next(ctx)
		require.True(t, ok)
		require.Equal(t, 7, v)

		go func() { res <- 8 }()
		w.Wait(ctx)
		w.Wait(ctx) // already holding: returns at once, keeps the event
		v, ok = next(ctx)
		require.True(t, ok)
		require.Equal(t, 8, v)
	})

	t.Run("wait sees the end of the stream", func(t *testing.T) {
		ctx, w := WithStreamWait(context.Background())
		res := make(chan int)
		next := streamWaitFor(ctx, res)
		close(res)
		w.Wait(ctx)
		_, ok := next(ctx)
		require.False(t, ok)
		w.Wait(ctx)
	})

	t.Run("wait returns when its context ends", func(t *testing.T) {
		ctx, w := WithStreamWait(context.Background())
		res := make(chan int)
		next := streamWaitFor(ctx, res)
		cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		w.Wait(cctx)
		_, ok := next(cctx)
		require.False(t, ok)
	})

	t.Run("without a StreamWait the next call blocks for the event", func(t *testing.T) {
		var w *StreamWait
		w.Wait(context.Background())
		res := make(chan int, 1)
		next := streamWaitFor(context.Background(), res)
		res <- 3
		v, ok := next(context.Background())
		require.True(t, ok)
		require.Equal(t, 3, v)
	})
}
