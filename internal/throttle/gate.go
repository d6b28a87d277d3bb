package throttle

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// Gate bounds the total cost of the expensive operations running at once in this process.
// An operation costing at least Expensive waits for room (first come, first served: a large
// operation is not overtaken forever by smaller ones) and holds its cost until it finishes;
// an operation that costs more than the whole capacity waits for all of it and runs alone.
// Cheaper operations never wait: they are the ones whose latency the bound protects, since
// without it a few dozen expensive queries share the CPU and the connection pool with them.
type Gate struct {
	sem       *semaphore.Weighted
	capacity  int
	expensive int
}

// NewGate returns a gate admitting expensive operations (those costing at least expensive)
// until their costs add up to capacity.
func NewGate(capacity, expensive int) *Gate {
	return &Gate{sem: semaphore.NewWeighted(int64(capacity)), capacity: capacity, expensive: max(expensive, 1)}
}

// Enter waits until an operation of the given cost may run, or ctx ends (then it returns ctx's
// error). The caller must call release once the operation is done.
func (g *Gate) Enter(ctx context.Context, cost int) (release func(), err error) {
	if cost < g.expensive {
		return func() {}, nil
	}
	w := int64(min(cost, g.capacity))
	if err := g.sem.Acquire(ctx, w); err != nil {
		return nil, err
	}
	return func() { g.sem.Release(w) }, nil
}
