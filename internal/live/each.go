package live

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
)

// member is one subscriber of a shared event stream.
type member[T any] struct {
	ch   chan T
	conn *Conn
}

// eachGroup is one shared event stream (ShareEach) and its subscribers.
type eachGroup[T any] struct {
	members map[*member[T]]struct{}
	cancel  context.CancelFunc
}

// ShareEach is Each for many subscribers of the same stream — the same key, the same events
// and reads: read runs once per event for the whole process, whatever the number of
// subscribers, and each subscriber gets every payload, in order (nothing is coalesced). read
// is the key's first subscriber's, and gets a context of its own, not any subscriber's.
// Subscribers share each payload, so they must not change it.
//
// A subscriber holds at most the broker's buffer of undelivered payloads; one that falls
// further behind is dropped and its connection closed with CloseSlowConsumer, as Subscribe's
// are, while the others carry on. When the shared subscription itself falls behind (read
// slower than the events), the events it dropped are reported to read as one Reset. The
// channel closes when ctx ends, after the event that deletes productID, or if read fails.
// Each subscriber counts against its connection's cap and costs no goroutine: the channel is
// the one gqlgen's subscription reads.
func ShareEach[T any](ctx context.Context, b *Broker, key string, productID int, read func(context.Context, Event) (T, bool, error)) (<-chan T, error) {
	conn := ConnFromContext(ctx)
	release, err := conn.acquire()
	if err != nil {
		return nil, err
	}
	key = "each|" + key
	m := &member[T]{ch: make(chan T, b.buffer), conn: conn}
	g, err := lockGroup(b, key, func() *eachGroup[T] {
		gctx, cancel := context.WithCancel(context.Background())
		// Lossy: one slow subscriber must not cut the others' shared subscription; what it
		// drops becomes a Reset.
		sub := b.SubscribeLossy(productID)
		g := &eachGroup[T]{members: map[*member[T]]struct{}{}, cancel: cancel}
		go shareEvents(gctx, b, key, g, sub, read)
		return g
	})
	if err != nil {
		release()
		return nil, err
	}
	g.members[m] = struct{}{}
	b.groupsMu.Unlock()
	context.AfterFunc(ctx, func() {
		b.groupsMu.Lock()
		leave(b, key, g, m)
		b.groupsMu.Unlock()
		release()
	})
	return m.ch, nil
}

// leave removes m from g, closing its channel, and ends g once it has no subscribers left;
// b.groupsMu is held.
func leave[T any](b *Broker, key string, g *eachGroup[T], m *member[T]) {
	if _, ok := g.members[m]; !ok {
		return
	}
	delete(g.members, m)
	close(m.ch)
	if len(g.members) == 0 {
		g.cancel()
		if b.groups[key] == any(g) {
			delete(b.groups, key)
		}
	}
}

// shareEvents reads each event of sub once and hands the payload to every member of g.
func shareEvents[T any](ctx context.Context, b *Broker, key string, g *eachGroup[T], sub *Subscription, read func(context.Context, Event) (T, bool, error)) {
	defer sub.Close()
	defer func() {
		b.groupsMu.Lock()
		for m := range g.members {
			leave(b, key, g, m)
		}
		if b.groups[key] == any(g) {
			delete(b.groups, key)
		}
		b.groupsMu.Unlock()
		g.cancel()
	}()
	timed := func(ctx context.Context, ev Event) (T, bool, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return read(ctx, ev)
	}
	for {
		var ev Event
		select {
		case <-ctx.Done():
			return
		case e, open := <-sub.C():
			if !open {
				return
			}
			ev = e
		}
		if sub.Missed() && ev.Kind != Reset {
			if !shareOne(ctx, b, key, g, timed, Event{Kind: Reset}) {
				return
			}
		}
		if !shareOne(ctx, b, key, g, timed, ev) || ends(sub.product, ev) {
			return
		}
	}
}

// shareOne reads ev and offers the payload to every member of g without blocking: a member
// whose buffer is full is dropped and its connection closed as a slow consumer. It reports
// false when the read failed.
func shareOne[T any](ctx context.Context, b *Broker, key string, g *eachGroup[T], read func(context.Context, Event) (T, bool, error), ev Event) bool {
	ctx, span := b.startSpan(ctx, "live subscription "+key, ev)
	defer span.End()
	v, ok, err := read(ctx, ev)
	if err != nil {
		span.SetStatus(codes.Error, "read failed")
		return false
	}
	if !ok {
		return true
	}
	var slow []*Conn
	b.groupsMu.Lock()
	span.SetAttributes(attribute.Int("vitrine.live.subscribers", len(g.members)))
	for m := range g.members {
		select {
		case m.ch <- v:
			b.delivered.Add(1)
		default:
			b.dropped.Add(1)
			leave(b, key, g, m)
			slow = append(slow, m.conn)
		}
	}
	b.groupsMu.Unlock()
	for _, c := range slow {
		if c != nil {
			go c.Close(CloseSlowConsumer, "events were not read in time")
		}
	}
	return true
}
