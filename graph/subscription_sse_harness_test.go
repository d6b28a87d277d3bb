package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
)

// sseEvent is one event of a graphql-sse stream ("next" or "complete").
type sseEvent struct {
	name string
	data string
}

// sseStream reads a graphql-sse stream (distinct connections mode), as the graphql-sse
// library's client does: events on a channel, keepalive comments counted.
type sseStream struct {
	t      *testing.T
	resp   *http.Response
	events chan sseEvent
	ended  chan struct{} // the server ended the stream (EOF or a cut connection)
	pings  atomic.Int32
	cancel context.CancelFunc
}

// sseRequest POSTs an operation with Accept: text/event-stream; the caller reads or closes
// the response.
func (s *liveServer) sseRequest(t *testing.T, header http.Header, query string, vars map[string]any) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/graphql",
		bytes.NewReader(mustJSON(t, map[string]any{"query": query, "variables": vars})))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { cancel(); _ = resp.Body.Close() })
	return resp, cancel
}

// subscribeSSE opens a stream and expects the server to accept it.
func (s *liveServer) subscribeSSE(t *testing.T, header http.Header, query string, vars map[string]any) *sseStream {
	t.Helper()
	resp, cancel := s.sseRequest(t, header, query, vars)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	require.Equal(t, "no", resp.Header.Get("X-Accel-Buffering"))
	st := &sseStream{t: t, resp: resp, events: make(chan sseEvent, 100), ended: make(chan struct{}), cancel: cancel}
	go st.read()
	return st
}

func (st *sseStream) read() {
	defer close(st.ended)
	sc := bufio.NewScanner(st.resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" {
				st.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			st.pings.Add(1)
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// next returns the next event, or an error once the stream ended or timeout passed.
func (st *sseStream) next(timeout time.Duration) (sseEvent, error) {
	select {
	case ev := <-st.events:
		return ev, nil
	case <-time.After(timeout):
		return sseEvent{}, context.DeadlineExceeded
	case <-st.ended:
		select {
		case ev := <-st.events:
			return ev, nil
		default:
			return sseEvent{}, context.Canceled
		}
	}
}

// response decodes the next event, which must be "next".
func (st *sseStream) response(timeout time.Duration) gqltest.Response {
	st.t.Helper()
	ev, err := st.next(timeout)
	require.NoError(st.t, err)
	require.Equal(st.t, "next", ev.name, "data %s", ev.data)
	var r gqltest.Response
	require.NoError(st.t, json.Unmarshal([]byte(ev.data), &r))
	return r
}

// data decodes the next event's data into dst, requiring no errors.
func (st *sseStream) data(dst any) {
	st.t.Helper()
	r := st.response(5 * time.Second)
	require.Empty(st.t, r.Errors)
	require.NoError(st.t, json.Unmarshal(r.Data, dst))
}

// errorCode returns the code of the next event's first error.
func (st *sseStream) errorCode(timeout time.Duration) gqltest.Error {
	st.t.Helper()
	r := st.response(timeout)
	require.NotEmpty(st.t, r.Errors)
	return r.Errors[0]
}

// completes asserts that the stream's next event is complete and that the server then ends
// the response.
func (st *sseStream) completes(timeout time.Duration) {
	st.t.Helper()
	ev, err := st.next(timeout)
	require.NoError(st.t, err)
	require.Equal(st.t, "complete", ev.name, "data %s", ev.data)
	select {
	case <-st.ended:
	case <-time.After(timeout):
		st.t.Fatal("the response did not end after complete")
	}
}

// none asserts that no event arrives for d.
func (st *sseStream) none(d time.Duration) {
	st.t.Helper()
	ev, err := st.next(d)
	require.ErrorIs(st.t, err, context.DeadlineExceeded, "unexpected event %+v", ev)
}
