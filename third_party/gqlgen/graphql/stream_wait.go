package graphql

import "context"

// StreamWait lets a transport wait for a subscription's next event at the bottom of the
// goroutine that serves it, instead of inside the response chain (every response interceptor,
// the executor, the generated field) where the stream field would otherwise block. Go only
// shrinks the stack of a goroutine that uses little of it, so a subscriber waiting there costs a
// small stack rather than the deep one, which adds up over thousands of idle subscribers.
type StreamWait struct {
	wait func(ctx context.Context)
}

type streamWaitKey struct{}

// WithStreamWait returns ctx carrying a StreamWait that the subscription field resolved with
// ctx (or a context derived from it) registers its stream with.
func WithStreamWait(ctx context.Context) (context.Context, *StreamWait) {
	w := &StreamWait{}
	return context.WithValue(ctx, streamWaitKey{}, w), w
}

// Wait blocks until the registered stream has an event (or has ended) or ctx ends; the next
// response then takes that event without blocking. Without a registered stream it returns at
// once, and the response blocks as it always has.
func (w *StreamWait) Wait(ctx context.Context) {
	if w != nil && w.wait != nil {
		w.wait(ctx)
	}
}

// Registered reports whether a stream registered with w, so that Wait waits for its events.
func (w *StreamWait) Registered() bool { return w != nil && w.wait != nil }

// streamWaitFor returns the function that takes res's next value, and registers with the
// StreamWait in ctx, if any, a wait that receives the value ahead of it. The transport calls
// them one after the other, never at once, so the value needs no lock.
func streamWaitFor[T any](ctx context.Context, res <-chan T) func(context.Context) (T, bool) {
	var (
		held    T
		holding bool
		ended   bool
	)
	if w, _ := ctx.Value(streamWaitKey{}).(*StreamWait); w != nil {
		w.wait = func(ctx context.Context) {
			if holding || ended {
				return
			}
			select {
			case v, ok := <-res:
				held, holding, ended = v, ok, !ok
			case <-ctx.Done():
			}
		}
	}
	return func(ctx context.Context) (T, bool) {
		var zero T
		switch {
		case holding:
			v := held
			held, holding = zero, false
			return v, true
		case ended:
			return zero, false
		}
		select {
		case v, ok := <-res:
			return v, ok
		case <-ctx.Done():
			return zero, false
		}
	}
}
