package live

import (
	"context"
	"fmt"
	"time"
)

// group is one shared aggregate stream and the subscribers it feeds.
type group[T any] struct {
	subs   map[chan *T]struct{}
	cancel context.CancelFunc
}

// Watch subscribes to the states of an aggregate named key — the same key, the same
// aggregate — as Latest computes them: at most one read per interval for the whole process,
// whatever the number of subscribers, each of whom gets every state that changed (or, if it
// reads slower than that, the latest one). match and read are those of the key's first
// subscriber; read gets a context of its own, not any subscriber's. Subscribers share each
// state's pointer, so they must not change it. The channel closes when ctx ends. Each watch
// counts against its connection's cap on subscriptions and costs no goroutine of its own: the
// channel is the one gqlgen's subscription reads.
func Watch[T comparable](ctx context.Context, b *Broker, key string, productID int, interval time.Duration, match func(Event) bool, read func(context.Context) (T, error)) (<-chan *T, error) {
	release, err := ConnFromContext(ctx).acquire()
	if err != nil {
		return nil, err
	}
	ch := make(chan *T, 1)
	g, err := lockGroup(b, key, func() *group[T] {
		gctx, cancel := context.WithCancel(context.Background())
		// Lossy: the shared subscription counts against nobody's cap, and a burst that fills
		// its buffer while a read runs only makes Latest read again.
		sub := b.SubscribeLossy(productID)
		g := &group[T]{subs: map[chan *T]struct{}{}, cancel: cancel}
		timed := func(ctx context.Context) (T, error) {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return read(ctx)
		}
		go fanOut(b, key, g, Latest(gctx, sub, interval, match, timed))
		return g
	})
	if err != nil {
		release()
		return nil, err
	}
	g.subs[ch] = struct{}{}
	b.groupsMu.Unlock()
	// AfterFunc, not a goroutine per watch: idle subscriptions must cost little memory.
	context.AfterFunc(ctx, func() {
		b.groupsMu.Lock()
		if _, ok := g.subs[ch]; ok {
			delete(g.subs, ch)
			close(ch)
			if len(g.subs) == 0 {
				g.cancel()
				if b.groups[key] == any(g) {
					delete(b.groups, key)
				}
			}
		}
		b.groupsMu.Unlock()
		release()
	})
	return ch, nil
}

// fanOut hands each state to every subscriber of g without blocking: a subscriber still
// holding the previous state gets the new one instead. When the stream ends (the group's
// context ends), so do the subscribers'.
func fanOut[T any](b *Broker, key string, g *group[T], states <-chan T) {
	for v := range states {
		p := &v
		b.groupsMu.Lock()
		for ch := range g.subs {
			select {
			case ch <- p:
			default:
				select {
				case <-ch:
				default:
				}
				ch <- p
			}
		}
		b.groupsMu.Unlock()
	}
	b.groupsMu.Lock()
	for ch := range g.subs {
		delete(g.subs, ch)
		close(ch)
	}
	if b.groups[key] == any(g) {
		delete(b.groups, key)
	}
	b.groupsMu.Unlock()
	g.cancel()
}

// lockGroup locks b.groupsMu and returns the shared stream named key, made by create when there
// is none yet (under the lock, so a stream's goroutine can only touch b.groups once it is
// registered). On success the caller holds the lock, to add its subscriber.
func lockGroup[G any](b *Broker, key string, create func() *G) (*G, error) {
	b.groupsMu.Lock()
	if existing, ok := b.groups[key]; ok {
		g, ok := existing.(*G)
		if !ok {
			b.groupsMu.Unlock()
			return nil, fmt.Errorf("live: key %q already streams %T", key, existing)
		}
		return g, nil
	}
	g := create()
	if b.groups == nil {
		b.groups = map[string]any{}
	}
	b.groups[key] = g
	return g, nil
}
