package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestPublishWaitsForCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		b := live.NewBroker(0)
		sub, err := b.Subscribe(context.Background(), 7)
		require.NoError(t, err)
		defer sub.Close()
		for _, commit := range []bool{false, true} {
			tx, err := st.Client.Tx(context.Background())
			require.NoError(t, err)
			ctx := ent.NewTxContext(context.Background(), tx)
			b.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: 7})
			require.Empty(t, sub.C(), "published before the transaction ended")
			if commit {
				require.NoError(t, tx.Commit())
				ev := <-sub.C()
				require.Equal(t, live.RatingChanged, ev.Kind)
				require.Equal(t, 7, ev.ProductID)
				require.NotZero(t, ev.At, "stamped at commit")
			} else {
				require.NoError(t, tx.Rollback())
				require.Empty(t, sub.C(), "a rolled-back write was published")
			}
		}
		// Without a transaction: at once.
		b.Publish(context.Background(), live.Event{Kind: live.ReviewCreated, ProductID: 7, ReviewID: 1})
		require.Equal(t, live.ReviewCreated, (<-sub.C()).Kind)
	})
}

func TestDeliveryFollowsProducts(t *testing.T) {
	b := live.NewBroker(0)
	ctx := context.Background()
	one, _ := b.Subscribe(ctx, 1)
	two, _ := b.Subscribe(ctx, 2)
	all, _ := b.Subscribe(ctx, 0)
	b.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: 1})
	require.Len(t, one.C(), 1)
	require.Len(t, two.C(), 0)
	require.Len(t, all.C(), 1)
	// A reset reaches everyone.
	b.Publish(ctx, live.Event{Kind: live.Reset})
	require.Len(t, one.C(), 2)
	require.Len(t, two.C(), 1)
	require.Len(t, all.C(), 2)
	one.Close()
	one.Close() // idempotent
	require.Equal(t, int64(2), b.Stats().Subscribers)
}

func TestOverflowDropsAndEndsTheSubscription(t *testing.T) {
	b := live.NewBroker(2)
	sub, err := b.Subscribe(context.Background(), 1)
	require.NoError(t, err)
	for range 5 {
		b.Publish(context.Background(), live.Event{Kind: live.RatingChanged, ProductID: 1})
	}
	require.Equal(t, uint64(3), b.Stats().Dropped)
	require.Eventually(t, func() bool { return b.Stats().Subscribers == 0 }, time.Second, time.Millisecond)
	n := 0
	for range sub.C() { // closed after the buffered events
		n++
	}
	require.Equal(t, 2, n)
}

func TestLatestCoalesces(t *testing.T) {
	b := live.NewBroker(1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := b.Subscribe(ctx, 0)
	require.NoError(t, err)
	var reads, state atomic.Int64
	const interval = 200 * time.Millisecond
	out := live.Latest(ctx, sub, interval, func(ev live.Event) bool { return ev.ProductID == 1 },
		func(context.Context) (int64, error) { reads.Add(1); return state.Load(), nil })
	// Not matching: nothing.
	b.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: 2})
	select {
	case v := <-out:
		t.Fatalf("unexpected state %d", v)
	case <-time.After(2 * interval):
	}
	start := time.Now()
	var got []int64
	for i := int64(1); i <= 100; i++ {
		state.Store(i)
		b.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: 1})
		time.Sleep(5 * time.Millisecond) // a 0.5 s burst
	}
	deadline := time.After(3 * interval)
loop:
	for {
		select {
		case v := <-out:
			got = append(got, v)
		case <-deadline:
			break loop
		}
	}
	elapsed := time.Since(start)
	require.NotEmpty(t, got)
	require.Equal(t, int64(100), got[len(got)-1], "the last event shows the final state")
	require.LessOrEqual(t, len(got), int(elapsed/interval)+1)
	require.Equal(t, int(reads.Load()), len(got), "every read changed the state, so each was sent")
}

func TestWatchSharesOneReaderPerKey(t *testing.T) {
	b := live.NewBroker(1000)
	var reads atomic.Int64
	read := func(context.Context) (int64, error) { return reads.Add(1), nil }
	match := func(live.Event) bool { return true }
	ctx, cancel := context.WithCancel(context.Background())
	var outs []<-chan *int64
	for range 50 {
		ch, err := live.Watch(ctx, b, "k", 0, 100*time.Millisecond, match, read)
		require.NoError(t, err)
		outs = append(outs, ch)
	}
	b.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: 3})
	for _, ch := range outs {
		require.Equal(t, int64(1), *<-ch)
	}
	require.Equal(t, int64(1), reads.Load(), "one read for 50 subscribers")
	cancel()
	for _, ch := range outs {
		for range ch { // closed once ctx ends
		}
	}
	require.Eventually(t, func() bool { return b.Stats().Subscribers == 0 }, time.Second, time.Millisecond)
}

// A burst that overflows a lossy subscription's buffer while a read runs, and a read that
// fails, cost a re-read: the stream goes on and ends on the final state.
func TestLatestSurvivesOverflowAndFailedReads(t *testing.T) {
	b := live.NewBroker(2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := b.SubscribeLossy(1)
	var state, reads atomic.Int64
	release := make(chan struct{})
	out := live.Latest(ctx, sub, 10*time.Millisecond, func(live.Event) bool { return true },
		func(context.Context) (int64, error) {
			switch reads.Add(1) {
			case 1:
				v := state.Load() // the state before the burst, which arrives while this read runs
				<-release
				return v, nil
			case 2:
				return 0, errors.New("database is locked")
			}
			return state.Load(), nil
		})
	b.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: 1})
	for reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	for i := int64(1); i <= 50; i++ { // far more than the buffer of 2
		state.Store(i)
		b.Publish(ctx, live.Event{Kind: live.RatingChanged, ProductID: 1})
	}
	close(release)
	var last int64
	timeout := time.After(5 * time.Second)
	for last != 50 {
		select {
		case v, open := <-out:
			require.True(t, open, "the stream ended")
			last = v
		case <-timeout:
			t.Fatalf("the final state never came (last %d, %d reads)", last, reads.Load())
		}
	}
	require.GreaterOrEqual(t, reads.Load(), int64(3), "the failed read was tried again")
}

// TestEventCarriesTraceContextOnlyWhenTracing: the traceparent of the publishing span rides in
// the event; without a span (tracing off) the field is empty and left out of the payload.
func TestEventCarriesTraceContextOnlyWhenTracing(t *testing.T) {
	tracer := sdktrace.NewTracerProvider().Tracer("test")
	traced, span := tracer.Start(context.Background(), "write")
	defer span.End()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"Off", context.Background(), ""},
		{"On", traced, fmt.Sprintf("00-%s-%s-01", span.SpanContext().TraceID(), span.SpanContext().SpanID())},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := live.NewBroker(0)
			sub, err := b.Subscribe(context.Background(), 3)
			require.NoError(t, err)
			defer sub.Close()
			b.Publish(tt.ctx, live.Event{Kind: live.RatingChanged, ProductID: 3})
			ev := <-sub.C()
			require.Equal(t, tt.want, ev.Trace)
			payload, err := json.Marshal(ev)
			require.NoError(t, err)
			require.Equal(t, tt.want != "", strings.Contains(string(payload), `"tp":`), "%s", payload)
		})
	}
}
