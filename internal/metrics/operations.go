package metrics

import (
	"sync"
	"sync/atomic"
)

// DefaultMaxOperations bounds the distinct operation names of a server without trusted
// documents. Names come from clients: without a bound, a client sending a new name with every
// request would add time series until Prometheus (and this process) run out of memory.
const DefaultMaxOperations = 100

// maxNameLength keeps one absurd name from becoming a label value.
const maxNameLength = 100

// operationNames turns client-supplied operation names into label values. With a fixed list
// (the trusted documents' operations) only those names are kept; otherwise the first max
// distinct names are kept for the life of the process and the rest count as OtherOperation.
// First come, first kept: a flood of junk names can crowd out later legitimate ones, never
// grow the series; deployments that care use trusted documents.
type operationNames struct {
	mu    sync.RWMutex
	known map[string]struct{}
	fixed bool
	max   int
	// full is set once max names are kept, so unknown names stop taking the write lock.
	full atomic.Bool
}

func newOperationNames(fixed []string, max int) *operationNames {
	if max <= 0 {
		max = DefaultMaxOperations
	}
	o := &operationNames{known: make(map[string]struct{}, len(fixed)), fixed: len(fixed) > 0, max: max}
	for _, n := range fixed {
		o.known[n] = struct{}{}
	}
	return o
}

func (o *operationNames) label(name string) string {
	if name == "" {
		return Anonymous
	}
	if len(name) > maxNameLength {
		return OtherOperation
	}
	if o.fixed {
		// The list never changes: no lock.
		if _, ok := o.known[name]; ok {
			return name
		}
		return OtherOperation
	}
	o.mu.RLock()
	_, ok := o.known[name]
	o.mu.RUnlock()
	if ok {
		return name
	}
	if o.full.Load() {
		return OtherOperation
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.known[name]; ok {
		return name
	}
	if len(o.known) >= o.max {
		o.full.Store(true)
		return OtherOperation
	}
	o.known[name] = struct{}{}
	return name
}
