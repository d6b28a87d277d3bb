package live

import (
	"context"
	"time"
)

// group is one shared aggregate stream and the subscribers it feeds.
type group struct {
	subs   map[chan any]struct{}
	cancel context.CancelFunc
}

// Watch subscribes to the states of an aggregate named key — the same key, the same
// aggregate — as Latest computes them: at most one read per interval for the whole process,
// whatever the number of subscribers, each of whom gets every state that changed (or, if it
// reads slower than that, the latest one). match and read are those of the key's first
// subscriber; read gets a context of its own, not any subscriber's. The channel closes when
// ctx ends. Each watch counts against its connection's cap on subscriptions.
func (b *Broker) Watch(ctx context.Context, key string, productID int, interval time.Duration, match func(Event) bool, read func(context.Context) (any, error)) (<-chan any, error) {
	release, err := ConnFromContext(ctx).acquire()
	if err != nil {
		return nil, err
	}
	ch := make(chan any, 1)
	b.groupsMu.Lock()
	g := b.groups[key]
	if g == nil {
		gctx, cancel := context.WithCancel(context.Background())
		// Lossy: the shared subscription counts against nobody's cap, and a burst that fills
		// its buffer while a read runs only makes Latest read again.
		sub := b.SubscribeLossy(productID)
		g = &group{subs: map[chan any]struct{}{}, cancel: cancel}
		if b.groups == nil {
			b.groups = map[string]*group{}
		}
		b.groups[key] = g
		timed := func(ctx context.Context) (any, error) {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return read(ctx)
		}
		go b.fanOut(key, g, Latest(gctx, sub, interval, match, timed))
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
				if b.groups[key] == g {
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
func (b *Broker) fanOut(key string, g *group, states <-chan any) {
	for v := range states {
		b.groupsMu.Lock()
		for ch := range g.subs {
			select {
			case ch <- v:
			default:
				select {
				case <-ch:
				default:
				}
				ch <- v
			}
		}
		b.groupsMu.Unlock()
	}
	b.groupsMu.Lock()
	for ch := range g.subs {
		delete(g.subs, ch)
		close(ch)
	}
	if b.groups[key] == g {
		delete(b.groups, key)
	}
	b.groupsMu.Unlock()
	g.cancel()
}
