package replica

import (
	"context"
	"errors"
	"testing"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

func TestNoteErrorMarksOnlyRequestsThatReadFromAReplica(t *testing.T) {
	broken := &pq.Error{Code: "57P01"}
	t.Run("ReplicaRead", func(t *testing.T) {
		st := &state{stats: &counters{}}
		st.replicaRead.Store(true)
		ctx := context.WithValue(context.Background(), ctxKey{}, st)
		NoteError(ctx, errors.New("a statement's own error"))
		require.False(t, Broken(ctx))
		NoteError(ctx, broken)
		require.True(t, Broken(ctx))
		require.False(t, Broken(RetryContext(ctx)), "the retry starts with a fresh state")
		require.True(t, stateFrom(RetryContext(ctx)).pinned.Load(), "the retry reads from the primary")
		require.EqualValues(t, 2, st.stats.operationRetries.Load(), "each retry is counted")
	})
	t.Run("PrimaryOnly", func(t *testing.T) {
		ctx := context.WithValue(context.Background(), ctxKey{}, &state{})
		NoteError(ctx, broken)
		require.False(t, Broken(ctx), "a broken primary is not retried on the primary")
	})
	t.Run("CancelledRequest", func(t *testing.T) {
		st := &state{}
		st.replicaRead.Store(true)
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, st))
		cancel()
		NoteError(ctx, broken)
		require.False(t, Broken(ctx))
	})
	t.Run("NoRouter", func(t *testing.T) {
		NoteError(context.Background(), broken)
		require.False(t, Broken(context.Background()))
	})
}
