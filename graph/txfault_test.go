package graph_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/reqlog"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// txFaults injects failures into BEGIN and COMMIT of a real store's driver, shaped like the
// failure the outside test saw (a refused dial that names the database host).
type txFaults struct {
	dialect.Driver
	failBegin, failCommit *atomic.Bool
}

var errRefused = &net.OpError{Op: "dial", Net: "tcp",
	Addr: &net.TCPAddr{IP: net.IPv4(10, 9, 8, 7), Port: 55432},
	Err:  os.NewSyscallError("connect", syscall.ECONNREFUSED)}

func (d txFaults) Tx(ctx context.Context) (dialect.Tx, error) {
	if d.failBegin.Load() {
		return nil, errRefused
	}
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return failingCommit{Tx: tx, fail: d.failCommit}, nil
}

type failingCommit struct {
	dialect.Tx
	fail *atomic.Bool
}

func (tx failingCommit) Commit() error {
	if tx.fail.Load() {
		return errors.Join(tx.Tx.Rollback(), errRefused)
	}
	return tx.Tx.Commit()
}

// A mutation whose BEGIN or COMMIT fails answers like any other internal failure: the
// presenter's INTERNAL_SERVER_ERROR with "internal error" and the request ID, no driver text,
// and an ERROR log line with the cause under the same request ID.
func TestTransactionFailuresGoThroughPresenter(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			var begin, commit atomic.Bool
			st := storetest.Open(t, kind, func(d dialect.Driver) dialect.Driver {
				return txFaults{Driver: d, failBegin: &begin, failCommit: &commit}
			})
			var logs bytes.Buffer
			log := slog.New(reqlog.Handler(slog.NewJSONHandler(&logs, nil)))
			e := newLimitedEnv(t, st, server.Options{Log: log})
			tok, _, err := e.tokens.Issue(e.fx.users[0].ID, e.fx.users[0].Role)
			require.NoError(t, err)

			for _, tt := range []struct {
				name  string
				fault *atomic.Bool
				cause string
			}{
				{"ErrBegin", &begin, "begin transaction"},
				{"ErrCommit", &commit, "commit transaction"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					logs.Reset()
					tt.fault.Store(true)
					defer tt.fault.Store(false)
					req := gqlRequest(t, `mutation { createCategory(input: {name: "Tools", slug: "tools-`+strings.ToLower(tt.name)+`"}) { id } }`, nil, tok)
					req.Header.Set("X-Request-Id", "tx-"+tt.name)
					res := serve(t, e.handler, req)
					require.Len(t, res.Errors, 1, res.Raw)
					require.Equal(t, "INTERNAL_SERVER_ERROR", res.Errors[0].Code(), res.Raw)
					require.Equal(t, "internal error", res.Errors[0].Message)
					require.Equal(t, "tx-"+tt.name, res.Errors[0].Extensions["requestId"], res.Raw)
					for _, leak := range []string{"10.9.8.7", "55432", "dial", "transaction"} {
						require.NotContains(t, res.Raw, leak)
					}
					rec := logRecord(t, logs.String(), "resolver error")
					require.NotNil(t, rec, "the failure is logged: %s", logs.String())
					require.Equal(t, "ERROR", rec["level"])
					require.Contains(t, rec["err"], tt.cause)
					require.Equal(t, "tx-"+tt.name, rec["request_id"])
				})
			}
			// Nothing was committed: the category does not exist.
			require.Equal(t, 4, st.Client.Category.Query().CountX(context.Background()))
		})
	}
}
