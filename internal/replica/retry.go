package replica

import (
	"context"
)

// A replica that stops while it streams a result breaks the read after the Router handed the
// rows back, where read cannot retry it: ent scans them later, in the resolver. Such a request
// is run again on the primary as a whole (see graph's retry), which is only safe for reads, and
// is what keeps clients from seeing a replica leave.

// NoteError records that a resolver of the request behind ctx failed because a database
// connection broke, if the request read from a replica. Other errors are ignored.
func NoteError(ctx context.Context, err error) {
	st := stateFrom(ctx)
	if st == nil || !st.replicaRead.Load() || ctx.Err() != nil || !connectionLost(err) {
		return
	}
	st.broken.Store(true)
}

// Broken reports whether a replica's connection broke during the request behind ctx (see
// NoteError): its read-only operation should run again with RetryContext.
func Broken(ctx context.Context) bool {
	st := stateFrom(ctx)
	return st != nil && st.broken.Load()
}

// RetryContext returns ctx with a fresh routing state that reads from the primary only, and
// counts the re-run operation in the Router's statistics.
func RetryContext(ctx context.Context) context.Context {
	if st := stateFrom(ctx); st != nil && st.stats != nil {
		st.stats.operationRetries.Add(1)
	}
	return WithPrimary(ctx)
}
