package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

const reviewEventsDoc = `subscription($p: ID!) { reviewEvents(productID: $p) { kind productID reviewID review { title author { displayName } } } }`

type reviewEvent struct {
	ReviewEvents struct {
		Kind      string  `json:"kind"`
		ProductID string  `json:"productID"`
		ReviewID  *string `json:"reviewID"`
		Review    *struct {
			Title  string `json:"title"`
			Author struct {
				DisplayName string `json:"displayName"`
			} `json:"author"`
		} `json:"review"`
	} `json:"reviewEvents"`
}

const addReviewDoc = `mutation($p: ID!, $t: String!) { addReview(input: {productID: $p, title: $t, body: "Great."}) { id } }`

func TestSubscriptionReviewEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{})
		product := relay.Encode(fx.products[1].ID)
		w := s.connect(t, nil) // anonymous: reviews are public
		w.subscribe("1", reviewEventsDoc, map[string]any{"p": product})
		w.none(200 * time.Millisecond) // no event until a write

		author := s.as(s.token(t, fx.users[1].ID))
		var added struct{ AddReview struct{ ID string } }
		author.MustData(t, &added, addReviewDoc, map[string]any{"p": product, "t": "Live one"})

		var ev reviewEvent
		w.data("1", &ev)
		require.Equal(t, "CREATED", ev.ReviewEvents.Kind)
		require.Equal(t, product, ev.ReviewEvents.ProductID)
		require.Equal(t, added.AddReview.ID, *ev.ReviewEvents.ReviewID)
		require.Equal(t, "Live one", ev.ReviewEvents.Review.Title)
		require.Equal(t, "User 1", ev.ReviewEvents.Review.Author.DisplayName)

		author.MustData(t, &struct{}{}, `mutation($id: ID!) { updateReview(id: $id, input: {title: "Edited"}) { id } }`, map[string]any{"id": added.AddReview.ID})
		w.data("1", &ev)
		require.Equal(t, "UPDATED", ev.ReviewEvents.Kind)
		require.Equal(t, "Edited", ev.ReviewEvents.Review.Title)

		// Another product's review is not this subscription's business.
		author.MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": relay.Encode(fx.products[2].ID), "t": "Elsewhere"})
		author.MustData(t, &struct{}{}, `mutation($id: ID!) { deleteReview(id: $id) }`, map[string]any{"id": added.AddReview.ID})
		w.data("1", &ev)
		require.Equal(t, "DELETED", ev.ReviewEvents.Kind)
		require.Nil(t, ev.ReviewEvents.Review)
		w.none(200 * time.Millisecond)

		t.Run("RolledBackWritePublishesNothing", func(t *testing.T) {
			// The second field fails, so the transaction holding the first one rolls back.
			resp := author.Do(t, `mutation($p: ID!) { addReview(input: {productID: $p, title: "Never", body: "x"}) { id }
				rateProduct(productID: $p, stars: 9) { stars } }`, map[string]any{"p": product})
			require.NotEmpty(t, resp.Errors)
			w.none(300 * time.Millisecond)
			author.MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": product, "t": "After"})
			w.data("1", &ev)
			require.Equal(t, "After", ev.ReviewEvents.Review.Title)
		})
	})
}

const summaryDoc = `subscription($p: ID!) { ratingSummaryChanged(productID: $p) { count average distribution } }`

func TestSubscriptionRatingSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		var logs lockedBuffer
		s := newLiveServer(t, st, liveOptions{logs: &logs, slow: time.Nanosecond})
		product := relay.Encode(fx.products[0].ID)
		w := s.connect(t, map[string]any{"Authorization": s.token(t, fx.users[2].ID)})
		w.subscribe("s", summaryDoc, map[string]any{"p": product})
		w.none(100 * time.Millisecond)
		s.as(s.token(t, fx.users[1].ID)).MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 1) { stars } }`, map[string]any{"p": product})
		var got struct{ RatingSummaryChanged json.RawMessage }
		w.data("s", &got)
		var fresh struct {
			Node struct{ RatingSummary json.RawMessage }
		}
		s.gql.MustData(t, &fresh, `query($p: ID!) { node(id: $p) { ... on Product { ratingSummary { count average distribution } } } }`, map[string]any{"p": product})
		require.JSONEq(t, string(fresh.Node.RatingSummary), string(got.RatingSummaryChanged))

		// A burst within the interval (1 s) is one event, with the numbers after the burst.
		for i, u := range []int{0, 1, 2, 1} { // the last one rates again, with other stars
			s.as(s.token(t, fx.users[u].ID)).MustData(t, &struct{}{}, `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`,
				map[string]any{"p": product, "s": 2 + i})
		}
		w.data("s", &got)
		s.gql.MustData(t, &fresh, `query($p: ID!) { node(id: $p) { ... on Product { ratingSummary { count average distribution } } } }`, map[string]any{"p": product})
		require.JSONEq(t, string(fresh.Node.RatingSummary), string(got.RatingSummaryChanged))
		w.none(1200 * time.Millisecond)

		// Every operation is slow at a 1 ns threshold, but a subscription's events are not
		// operations that took long: only the mutation and the query are logged.
		w.c.Close(coderws.StatusNormalClosure, "")
		time.Sleep(100 * time.Millisecond)
		types := map[string]int{}
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec struct{ Msg, Type string }
			require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
			if rec.Msg == "slow operation" {
				types[rec.Type]++
			}
		}
		require.Equal(t, map[string]int{"mutation": 5, "query": 2}, types)
	})
}

// lockedBuffer is a bytes.Buffer that several goroutines may write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSubscriptionCoalescesAggregates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		const interval = 400 * time.Millisecond
		s := newLiveServer(t, st, liveOptions{interval: interval})
		w := s.connect(t, nil)
		cat := relay.Encode(fx.outdoor.ID)
		w.subscribe("a", `subscription($c: ID!) { ratingStatsChanged(scope: {categoryID: $c}) { count average distribution } }`, map[string]any{"c": cat})
		w.none(100 * time.Millisecond)

		// A burst: every user rates every product of the outdoor subtree (categories 0–2 of 4).
		start := time.Now()
		n := 0
		for _, u := range fx.users {
			c := s.as(s.token(t, u.ID))
			for i, p := range fx.products {
				if i%4 == 3 {
					continue // kitchen
				}
				c.MustData(t, &struct{}{}, `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`, map[string]any{"p": relay.Encode(p.ID), "s": 1 + (i+u.ID)%5})
				n++
			}
		}
		burst := time.Since(start)
		var events []json.RawMessage
		for {
			m, err := w.read(3 * interval)
			if err != nil {
				break
			}
			require.Equal(t, "next", m.Type)
			events = append(events, m.Payload)
		}
		// At most one event per interval while the burst ran, and one after it.
		maxEvents := int(burst/interval) + 2
		require.NotEmpty(t, events)
		require.LessOrEqual(t, len(events), maxEvents, "%d ratings in %s gave %d events", n, burst, len(events))
		require.Less(t, len(events), n)
		var last struct {
			Data struct{ RatingStatsChanged json.RawMessage } `json:"data"`
		}
		require.NoError(t, json.Unmarshal(events[len(events)-1], &last))
		var fresh struct{ RatingStats json.RawMessage }
		s.gql.MustData(t, &fresh, `query($c: ID!) { ratingStats(filter: {categoryID: $c}) { count average distribution } }`, map[string]any{"c": cat})
		require.JSONEq(t, string(fresh.RatingStats), string(last.Data.RatingStatsChanged))
	})
}

func TestSubscriptionAuthAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{maxSubs: 1, ttl: 2 * time.Second})
		product := relay.Encode(fx.products[0].ID)

		t.Run("InvalidTokenCloses4403", func(t *testing.T) {
			c, _, err := s.dial(t, nil)
			require.NoError(t, err)
			w := newWSClient(t, c)
			w.send(wsMessage{Type: "connection_init", Payload: mustJSON(t, map[string]any{"Authorization": "Bearer not.a.token"})})
			require.Equal(t, coderws.StatusCode(4403), w.closeCode(5*time.Second))
		})
		t.Run("InvalidUpgradeHeaderCloses4403", func(t *testing.T) {
			c, _, err := s.dial(t, http.Header{"Authorization": {"Bearer forged"}})
			require.NoError(t, err)
			w := newWSClient(t, c)
			w.send(wsMessage{Type: "connection_init"})
			require.Equal(t, coderws.StatusCode(4403), w.closeCode(5*time.Second))
		})
		t.Run("ExpiredTokenEndsConnection", func(t *testing.T) {
			w := s.connect(t, map[string]any{"Authorization": s.token(t, fx.users[1].ID)})
			w.subscribe("1", reviewEventsDoc, map[string]any{"p": product})
			start := time.Now()
			require.Equal(t, coderws.StatusCode(4403), w.closeCode(5*time.Second))
			require.Less(t, time.Since(start), 4*time.Second)
		})
		t.Run("DeletedUserCloses4403", func(t *testing.T) {
			gone := st.Client.User.Create().SetEmail("gone@example.com").SetDisplayName("Gone").SetPasswordHash("!").SaveX(context.Background())
			w := s.connect(t, map[string]any{"Authorization": s.token(t, gone.ID)})
			w.subscribe("1", reviewEventsDoc, map[string]any{"p": product})
			w.none(300 * time.Millisecond)
			require.NoError(t, st.Client.User.DeleteOne(gone).Exec(context.Background()))
			require.Equal(t, coderws.StatusCode(4403), w.closeCode(5*time.Second))
		})
		t.Run("ForeignOriginRefused", func(t *testing.T) {
			_, resp, err := s.dial(t, http.Header{"Origin": {"https://evil.example"}})
			require.Error(t, err)
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
			c, _, err := s.dial(t, http.Header{"Origin": {"https://shop.example"}})
			require.NoError(t, err)
			_ = c.CloseNow()
		})
		t.Run("InitTimeout", func(t *testing.T) {
			c, _, err := s.dial(t, nil)
			require.NoError(t, err)
			w := newWSClient(t, c)
			require.Equal(t, coderws.StatusProtocolError, w.closeCode(5*time.Second))
		})
		t.Run("SubscriptionsPerConnection", func(t *testing.T) {
			w := s.connect(t, nil)
			w.subscribe("1", reviewEventsDoc, map[string]any{"p": product})
			w.none(150 * time.Millisecond) // subscription 1 runs
			w.subscribe("2", reviewEventsDoc, map[string]any{"p": product})
			m := w.next(5 * time.Second)
			require.Equal(t, "2", m.ID)
			require.Contains(t, string(m.Payload), "TOO_MANY_SUBSCRIPTIONS")
		})
		t.Run("DepthLimit", func(t *testing.T) {
			w := s.connect(t, nil)
			deep := "subscription($p: ID!) { reviewEvents(productID: $p) { review { product { reviews(first: 1) { edges { node { product { reviews(first: 1) { edges { node { product { category { parent { parent { parent { parent { name } } } } } } } } } } } } } } } } }"
			w.subscribe("d", deep, map[string]any{"p": product})
			m := w.next(5 * time.Second)
			require.Equal(t, "d", m.ID)
			require.Contains(t, string(m.Payload), "nested more than")
			// Presented as over HTTP: with a code (gqlgen's WebSocket transport sent them bare).
			require.Contains(t, string(m.Payload), `"code":"QUERY_TOO_DEEP"`)
		})
		t.Run("UnknownProduct", func(t *testing.T) {
			w := s.connect(t, nil)
			w.subscribe("u", reviewEventsDoc, map[string]any{"p": relay.Encode(fx.products[0].ID + 100000)})
			m := w.next(5 * time.Second)
			require.Contains(t, string(m.Payload), "BAD_USER_INPUT")
		})
	})
}

// TestSubscriptionAcrossProcesses runs two servers on one Postgres database: a write through
// A reaches a subscriber of B through LISTEN/NOTIFY.
func TestSubscriptionAcrossProcesses(t *testing.T) {
	u := storetest.URL(t)
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), DatabaseURL: u})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	fx := loadFixture(t, st.Client)
	a := newLiveServer(t, st, liveOptions{pgURL: u})
	b := newLiveServer(t, st, liveOptions{pgURL: u})
	product := relay.Encode(fx.products[3].ID)
	w := b.connect(t, nil)
	w.subscribe("x", reviewEventsDoc, map[string]any{"p": product})
	w.none(200 * time.Millisecond)
	a.as(a.token(t, fx.users[2].ID)).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": product, "t": "Through A"})
	var ev reviewEvent
	w.data("x", &ev)
	require.Equal(t, "Through A", ev.ReviewEvents.Review.Title)
	w.none(300 * time.Millisecond)
	require.Equal(t, uint64(1), a.broker.Stats().Published)
	require.Equal(t, uint64(0), b.broker.Stats().Published)
}

// TestSubscriptionSurvivesListenerLoss cuts the LISTEN connection (as a Postgres restart
// does): the subscriber is told to resync with a RESET event, and later writes still arrive.
func TestSubscriptionSurvivesListenerLoss(t *testing.T) {
	u := storetest.URL(t)
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), DatabaseURL: u})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	fx := loadFixture(t, st.Client)
	s := newLiveServer(t, st, liveOptions{pgURL: u})
	product := relay.Encode(fx.products[5].ID)
	w := s.connect(t, nil)
	w.subscribe("r", reviewEventsDoc, map[string]any{"p": product})
	w.none(200 * time.Millisecond)

	res, err := st.DB.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "one LISTEN connection per process")

	var ev reviewEvent
	w.data("r", &ev)
	require.Equal(t, "RESET", ev.ReviewEvents.Kind)
	require.Nil(t, ev.ReviewEvents.ReviewID)

	s.as(s.token(t, fx.users[1].ID)).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": product, "t": "After the gap"})
	w.data("r", &ev)
	require.Equal(t, "CREATED", ev.ReviewEvents.Kind)
	require.Equal(t, "After the gap", ev.ReviewEvents.Review.Title)
}

// TestSubscriptionSlowConsumerIsCut stalls a reader while events keep coming: its bounded
// buffer overflows, its subscription is dropped and its connection closed, so the server holds
// nothing for it.
func TestSubscriptionSlowConsumerIsCut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{})
		rev := fx.reviews[0]
		c, _, err := s.dial(t, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.CloseNow() })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// graphql-transport-ws by hand, then never read again.
		require.NoError(t, c.Write(ctx, coderws.MessageText, []byte(`{"type":"connection_init"}`)))
		sub := map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription($p: ID!) { reviewEvents(productID: $p) { review { body } } }`, "variables": map[string]any{"p": relay.Encode(rev.ProductID)}}}
		require.NoError(t, c.Write(ctx, coderws.MessageText, mustJSON(t, sub)))
		require.Eventually(t, func() bool { return s.broker.Stats().Subscribers == 1 }, 5*time.Second, 10*time.Millisecond)

		// Events with a 10 kB review, until the socket's buffers and then the subscriber's fill.
		// (Dropped alone is no sign: the product's shared reader may drop a burst it cannot
		// read fast enough, which its subscribers get as a RESET, not as a cut.)
		big := strings.Repeat("x", 10_000)
		require.NoError(t, st.Client.Review.UpdateOne(rev).SetBody(big).Exec(context.Background()))
		// Until the cut, not a fixed number: on a busy machine the shared reader drops more of
		// each burst, and fewer events reach the socket.
		for i, end := 0, time.Now().Add(30*time.Second); time.Now().Before(end) && s.ws.Connections() > 0; i++ {
			s.broker.Publish(context.Background(), live.Event{Kind: live.ReviewUpdated, ProductID: rev.ProductID, ReviewID: rev.ID})
			if i%50 == 49 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		require.NotZero(t, s.broker.Stats().Dropped, "the stalled subscriber's buffer never filled")
		require.Eventually(t, func() bool { return s.broker.Stats().Subscribers == 0 }, 10*time.Second, 20*time.Millisecond)
		require.Eventually(t, func() bool { return s.ws.Connections() == 0 }, 10*time.Second, 20*time.Millisecond)
	})
}

func TestSubscriptionConnectionCaps(t *testing.T) {
	st := storetest.Open(t, "sqlite", nil)
	s := newLiveServer(t, st, liveOptions{perIP: 2, total: 3})
	open := func(client string) (*coderws.Conn, int) {
		c, resp, err := s.dial(t, http.Header{"X-Test-Client": {client}})
		if err != nil {
			return nil, resp.StatusCode
		}
		t.Cleanup(func() { _ = c.CloseNow() })
		return c, http.StatusSwitchingProtocols
	}
	_, code := open("a")
	require.Equal(t, http.StatusSwitchingProtocols, code)
	first, code := open("a")
	require.Equal(t, http.StatusSwitchingProtocols, code)
	_, code = open("a")
	require.Equal(t, http.StatusTooManyRequests, code, "a third connection of one client")
	_, code = open("b")
	require.Equal(t, http.StatusSwitchingProtocols, code)
	_, code = open("c")
	require.Equal(t, http.StatusServiceUnavailable, code, "a fourth connection of the process")
	// A closed connection frees its place.
	require.NoError(t, first.Close(coderws.StatusNormalClosure, ""))
	require.Eventually(t, func() bool { return s.ws.Connections() == 2 }, 5*time.Second, 10*time.Millisecond)
	_, code = open("c")
	require.Equal(t, http.StatusSwitchingProtocols, code)
}
