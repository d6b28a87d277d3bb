package replica

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

func TestBrokenConnection(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"AdminShutdown", &pq.Error{Code: "57P01"}, true},
		{"ConnectionFailure", fmt.Errorf("load reviews: %w", &pq.Error{Code: "08006"}), true},
		{"BadConn", driver.ErrBadConn, true},
		{"UnexpectedEOF", fmt.Errorf("scan: %w", io.ErrUnexpectedEOF), true},
		{"Reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"StatementCancelledByDeadline", &pq.Error{Code: "57014"}, false},
		{"UniqueViolation", &pq.Error{Code: "23505"}, false},
		{"Cancelled", context.Canceled, false},
		{"DomainError", errors.New("no product has this slug"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.Equal(t, tt.want, brokenConnection(tt.err)) })
	}
}

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
