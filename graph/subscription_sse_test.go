package graph_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestSSEReviewEvents subscribes over Server-Sent Events while a JWT-authenticated POST writes:
// the stream gets exactly that write's event.
func TestSSEReviewEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{})
		product := relay.Encode(fx.products[1].ID)
		author := s.token(t, fx.users[1].ID)
		// Authenticated, though reviews are public: the header goes through the same checks.
		stream := s.subscribeSSE(t, http.Header{"Authorization": {author}}, reviewEventsDoc, map[string]any{"p": product})
		stream.none(200 * time.Millisecond)
		require.Equal(t, 1, s.ws.Connections(), "a stream counts as a connection")

		var added struct{ AddReview struct{ ID string } }
		s.as(author).MustData(t, &added, addReviewDoc, map[string]any{"p": product, "t": "Streamed"})
		s.as(author).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": relay.Encode(fx.products[2].ID), "t": "Elsewhere"})
		var ev reviewEvent
		stream.data(&ev)
		require.Equal(t, "CREATED", ev.ReviewEvents.Kind)
		require.Equal(t, added.AddReview.ID, *ev.ReviewEvents.ReviewID)
		require.Equal(t, "Streamed", ev.ReviewEvents.Review.Title)
		require.Equal(t, "User 1", ev.ReviewEvents.Review.Author.DisplayName)
		stream.none(300 * time.Millisecond)

		// The client going away ends the stream and frees its place.
		stream.cancel()
		require.Eventually(t, func() bool { return s.ws.Connections() == 0 && s.broker.Stats().Subscribers == 0 },
			5*time.Second, 10*time.Millisecond)
	})
}

// TestSSEAuthAndLimits: credentials, token expiry, deleted users, and the document limits
// and operation rules, over event streams.
func TestSSEAuthAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{ttl: 2 * time.Second})
		product := relay.Encode(fx.products[0].ID)
		vars := map[string]any{"p": product}

		t.Run("ForgedTokenRefused401", func(t *testing.T) {
			resp, _ := s.sseRequest(t, http.Header{"Authorization": {"Bearer forged"}}, reviewEventsDoc, vars)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Contains(t, string(body), `"UNAUTHENTICATED"`)
			require.Eventually(t, func() bool { return s.ws.Connections() == 0 }, 5*time.Second, 10*time.Millisecond)
		})
		t.Run("ExpiredTokenEndsStream", func(t *testing.T) {
			stream := s.subscribeSSE(t, http.Header{"Authorization": {s.token(t, fx.users[1].ID)}}, reviewEventsDoc, vars)
			start := time.Now()
			e := stream.errorCode(5 * time.Second)
			require.Equal(t, "UNAUTHENTICATED", e.Code())
			require.Contains(t, e.Message, "expired")
			stream.completes(5 * time.Second)
			require.Less(t, time.Since(start), 4*time.Second)
		})
		t.Run("DeletedUserEndsStream", func(t *testing.T) {
			gone := st.Client.User.Create().SetEmail("gone-sse@example.com").SetDisplayName("Gone").SetPasswordHash("!").SaveX(context.Background())
			stream := s.subscribeSSE(t, http.Header{"Authorization": {s.token(t, gone.ID)}}, reviewEventsDoc, vars)
			stream.none(300 * time.Millisecond)
			require.NoError(t, st.Client.User.DeleteOne(gone).Exec(context.Background()))
			e := stream.errorCode(5 * time.Second)
			require.Equal(t, "UNAUTHENTICATED", e.Code())
			require.Contains(t, e.Message, "no longer exists")
			stream.completes(5 * time.Second)
		})
		ratings := st.Client.Rating.Query().CountX(context.Background())
		refused := []struct {
			name, query, code, message string
		}{
			{"QueryRefused", `{ products(first: 1) { totalCount } }`, "BAD_REQUEST", "only subscriptions run as event streams"},
			{"MutationRefused", `mutation($p: ID!) { rateProduct(productID: $p, stars: 5) { stars } }`, "BAD_REQUEST", "only subscriptions run as event streams"},
			{"DepthLimit", `subscription($p: ID!) { reviewEvents(productID: $p) { review { product { reviews(first: 1) { edges { node { product { reviews(first: 1) { edges { node { product { category { parent { parent { parent { parent { name } } } } } } } } } } } } } } } } }`, "QUERY_TOO_DEEP", "nested more than"},
			{"AliasLimit", "subscription($p: ID!) { reviewEvents(productID: $p) { " + aliases(40, "kind") + " } }", "TOO_MANY_ALIASES", ""},
			{"CostLimit", `subscription($p: ID!) { reviewEvents(productID: $p) { review { product { reviews(first: 100) { edges { node { product { reviews(first: 100) { edges { node { title } } } } } } } } } } }`, "QUERY_TOO_COMPLEX", ""},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				stream := s.subscribeSSE(t, http.Header{"Authorization": {s.token(t, fx.users[2].ID)}}, tc.query, vars)
				e := stream.errorCode(5 * time.Second)
				require.Equal(t, tc.code, e.Code(), e.Message)
				require.Contains(t, e.Message, tc.message)
				stream.completes(5 * time.Second)
			})
		}
		// The mutation above was refused before it ran.
		require.Equal(t, ratings, st.Client.Rating.Query().CountX(context.Background()))
	})
}

// TestSSETrustedDocuments: with trusted documents, a stream runs only those.
func TestSSETrustedDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "reviews.graphql"), reviewEventsDoc)
		writeFile(t, filepath.Join(dir, "add.graphql"), addReviewDoc)
		trusted, err := persisted.Load(dir, graph.NewExecutableSchema(graph.Config{}).Schema(), limits.Defaults().Rules(false))
		require.NoError(t, err)
		s := newLiveServer(t, st, liveOptions{documents: trusted})
		vars := map[string]any{"p": relay.Encode(fx.products[1].ID)}

		stream := s.subscribeSSE(t, nil, `subscription($p: ID!) { reviewEvents(productID: $p) { kind } }`, vars)
		require.Equal(t, persisted.CodeNotAllowed, stream.errorCode(5*time.Second).Code())
		stream.completes(5 * time.Second)

		stream = s.subscribeSSE(t, nil, reviewEventsDoc, vars)
		stream.none(200 * time.Millisecond)
		s.as(s.token(t, fx.users[1].ID)).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": vars["p"], "t": "Trusted"})
		var ev reviewEvent
		stream.data(&ev)
		require.Equal(t, "Trusted", ev.ReviewEvents.Review.Title)
	})
}

// TestSSEOutlivesRequestDeadline: a stream lives past the request deadline and the HTTP
// server's read and write timeouts, with keepalive comments meanwhile.
func TestSSEOutlivesRequestDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{requestTimeout: 200 * time.Millisecond, serverTimeout: 300 * time.Millisecond, ping: 100 * time.Millisecond})
		product := relay.Encode(fx.products[4].ID)
		stream := s.subscribeSSE(t, nil, reviewEventsDoc, map[string]any{"p": product})
		stream.none(time.Second)
		require.GreaterOrEqual(t, stream.pings.Load(), int32(5), "keepalive comments while idle")

		s.as(s.token(t, fx.users[1].ID)).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": product, "t": "Late"})
		var ev reviewEvent
		stream.data(&ev)
		require.Equal(t, "Late", ev.ReviewEvents.Review.Title)
		require.Equal(t, 1, s.ws.Connections())
	})
}

// TestSSEStalledReaderIsCut stalls a stream's reader while events keep coming: the stream is
// cut and the server holds nothing for it — when events come faster than they are written
// (the subscriber's bounded buffer overflows), and when they come slowly but the socket stays
// full (each event's write is bounded by the write timeout, 300 ms here: under the time the
// events take to fill the subscriber's buffer of 8).
func TestSSEStalledReaderIsCut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{writeTimeout: 300 * time.Millisecond})
		rev := fx.reviews[0]
		require.NoError(t, st.Client.Review.UpdateOne(rev).SetBody(strings.Repeat("x", 10_000)).Exec(context.Background()))
		for _, tc := range []struct {
			name    string
			aliases int           // copies of the 10 kB body in each event
			every   time.Duration // between two events
			dropped bool          // the buffer overflows, rather than a write timing out
		}{
			{"BufferOverflows", 1, 0, true},
			{"WriteTimesOut", 30, 50 * time.Millisecond, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dropped := s.broker.Stats().Dropped
				stallSSE(t, s, fmt.Sprintf("subscription($p: ID!) { reviewEvents(productID: $p) { %s } }", aliases(tc.aliases, "review { body }")), rev.ProductID)
				// Until the cut, not a fixed number: on a busy machine the shared reader drops
				// more of each burst, and fewer events reach the socket.
				for i, end := 0, time.Now().Add(30*time.Second); time.Now().Before(end) && s.ws.Connections() > 0; i++ {
					s.broker.Publish(context.Background(), live.Event{Kind: live.ReviewUpdated, ProductID: rev.ProductID, ReviewID: rev.ID})
					if tc.every > 0 {
						time.Sleep(tc.every)
					} else if i%50 == 49 {
						time.Sleep(5 * time.Millisecond)
					}
				}
				require.Eventually(t, func() bool { return s.broker.Stats().Subscribers == 0 && s.ws.Connections() == 0 },
					10*time.Second, 20*time.Millisecond)
				require.Equal(t, tc.dropped, s.broker.Stats().Dropped > dropped)
			})
		}
	})
}

// stallSSE opens a stream for query over a raw connection that reads the status line, then
// never again.
func stallSSE(t *testing.T, s *liveServer, query string, productID int) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	// A small receive buffer, so the server's writes block soon.
	require.NoError(t, c.(*net.TCPConn).SetReadBuffer(4096))
	body := string(mustJSON(t, map[string]any{"query": query, "variables": map[string]any{"p": relay.Encode(productID)}}))
	_, err = fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	require.NoError(t, err)
	line, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "200")
	require.Eventually(t, func() bool { return s.broker.Stats().Subscribers == 1 }, 5*time.Second, 10*time.Millisecond)
}

// TestSSEConnectionCaps: streams and WebSockets share the per-client and per-process caps.
func TestSSEConnectionCaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{perIP: 2, total: 3})
		vars := map[string]any{"p": relay.Encode(fx.products[0].ID)}
		client := func(name string) http.Header { return http.Header{"X-Test-Client": {name}} }

		ws, _, err := s.dial(t, client("a"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = ws.CloseNow() })
		first := s.subscribeSSE(t, client("a"), reviewEventsDoc, vars)
		resp, _ := s.sseRequest(t, client("a"), reviewEventsDoc, vars)
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "a third connection of one client, one of them a WebSocket")
		_, resp, err = s.dial(t, client("a"))
		require.Error(t, err)
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "a WebSocket over the client's cap, with a stream open")
		s.subscribeSSE(t, client("b"), reviewEventsDoc, vars)
		resp, _ = s.sseRequest(t, client("c"), reviewEventsDoc, vars)
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "a fourth connection of the process")

		// A stream that ends frees its place.
		first.cancel()
		require.Eventually(t, func() bool { return s.ws.Connections() == 2 }, 5*time.Second, 10*time.Millisecond)
		s.subscribeSSE(t, client("c"), reviewEventsDoc, vars)
	})
}

// TestSSEShutdownEndsStreams: at shutdown a stream is told why, then completes.
func TestSSEShutdownEndsStreams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{})
		stream := s.subscribeSSE(t, nil, reviewEventsDoc, map[string]any{"p": relay.Encode(fx.products[0].ID)})
		stream.none(100 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.ws.Shutdown(ctx)
		require.Zero(t, s.ws.Connections())
		require.Equal(t, "SHUTTING_DOWN", stream.errorCode(time.Second).Code())
		stream.completes(time.Second)
	})
}

// TestSubscriptionNeedsAConnection: a subscription sent as a plain request (or asking for an
// event stream with VITRINE_SSE=false) is refused at once, instead of waiting for events until
// the request deadline.
func TestSubscriptionNeedsAConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		vars := map[string]any{"p": relay.Encode(fx.products[0].ID)}
		for _, tc := range []struct {
			name  string
			noSSE bool
			sse   bool // ask for an event stream
			hint  string
		}{
			{"PlainPOST", false, false, "or as Server-Sent Events"},
			{"StreamAskedWithSSEOff", true, true, "graphql-transport-ws), not over"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := newLiveServer(t, st, liveOptions{noSSE: tc.noSSE})
				start := time.Now()
				var e gqltest.Error
				if tc.sse {
					resp, _ := s.sseRequest(t, nil, reviewEventsDoc, vars)
					require.Contains(t, resp.Header.Get("Content-Type"), "json") // not an event stream
					var r gqltest.Response
					require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
					require.Len(t, r.Errors, 1)
					e = r.Errors[0]
				} else {
					e = s.gql.MustError(t, "BAD_REQUEST", reviewEventsDoc, vars)
				}
				require.Equal(t, "BAD_REQUEST", e.Code())
				require.Contains(t, e.Message, tc.hint)
				require.Less(t, time.Since(start), 2*time.Second)
				require.Zero(t, s.ws.Connections())
			})
		}
	})
}
