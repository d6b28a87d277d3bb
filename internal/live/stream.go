package live

import (
	"context"
	"time"
)

// Each turns sub's events into a stream of payloads, one per event for which read returns
// ok, in order. The stream ends (its channel closes, and sub with it) when ctx ends, sub
// closes, read fails, or after the event of the deletion of sub's product.
func Each[T any](ctx context.Context, sub *Subscription, read func(context.Context, Event) (T, bool, error)) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, open := <-sub.C():
				if !open {
					return
				}
				v, ok, err := read(ctx, ev)
				if err != nil {
					return
				}
				if !ok {
					continue
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
				if ends(sub.product, ev) {
					return
				}
			}
		}
	}()
	return out
}

// Latest turns sub's events into a stream of states: after events for which match is true
// (and after every Reset), it calls read once — at most once per interval, however many
// events arrived — and sends the state unless it equals the last one sent. interval 0 reads as
// soon as the backlog of events is drained. A failed read is tried again after the interval,
// and events a lossy subscription dropped count as one that matched. The stream ends when ctx
// does or sub is closed, and after the deletion of sub's product: its last state is read and
// sent, changed or not, and then the stream ends.
func Latest[T comparable](ctx context.Context, sub *Subscription, interval time.Duration, match func(Event) bool, read func(context.Context) (T, error)) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		defer sub.Close()
		var (
			last     T
			sent     bool
			dirty    bool
			final    bool
			nextRead time.Time
			timer    *time.Timer
			fire     <-chan time.Time
		)
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
		for {
			if dirty && fire == nil {
				wait := time.Until(nextRead)
				if wait <= 0 && len(sub.C()) == 0 {
					dirty = false
					v, err := read(ctx)
					nextRead = time.Now().Add(interval)
					if err != nil {
						if ctx.Err() != nil {
							return
						}
						// A failed read (the database busy or restarting) is tried again after
						// the interval (a tenth of a second at least): the subscribers keep
						// their subscription.
						nextRead = time.Now().Add(max(interval, 100*time.Millisecond))
						dirty = true
						continue
					}
					if !sent || v != last || final {
						last, sent = v, true
						select {
						case out <- v:
						case <-ctx.Done():
							return
						}
					}
					if final {
						return
					}
					continue
				}
				if wait > 0 {
					timer = time.NewTimer(wait)
					fire = timer.C
				}
			}
			select {
			case <-ctx.Done():
				return
			case ev, open := <-sub.C():
				if !open {
					return
				}
				if ev.Kind == Reset || match(ev) || sub.Missed() {
					dirty = true
				}
				if ends(sub.product, ev) {
					dirty, final = true, true
				}
			case <-fire:
				fire, timer = nil, nil
			}
		}
	}()
	return out
}
