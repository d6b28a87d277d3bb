package graph_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	coderws "github.com/coder/websocket"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/vitrinehq/vitrine/ent/rating"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/internal/throttle"
	"github.com/vitrinehq/vitrine/internal/tracing"
)

// countedLiveStore opens a store of kind whose driver counts statements; on Postgres it also
// returns the URL, for a broker that fans out through LISTEN/NOTIFY as serve wires it.
func countedLiveStore(t *testing.T, kind string) (*store.Store, *storetest.CountingDriver, string) {
	t.Helper()
	var counter *storetest.CountingDriver
	opts := store.Options{DataDir: t.TempDir(), WrapDriver: func(d dialect.Driver) dialect.Driver {
		counter = storetest.CountStatements(d)
		return counter
	}}
	if kind == "postgres" {
		opts.DatabaseURL = storetest.URL(t)
	}
	st, err := store.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return st, counter, opts.DatabaseURL
}

// TestMutationPublishesInItsTransaction: on Postgres the NOTIFY is one more statement of the
// mutation's transaction — its last before COMMIT — so the write and its event commit or roll
// back together; the embedded store publishes in memory after COMMIT, at no statement.
func TestMutationPublishesInItsTransaction(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			st, counter, pgURL := countedLiveStore(t, kind)
			fx := loadFixture(t, st.Client)
			s := newLiveServer(t, st, liveOptions{pgURL: pgURL})
			other := s
			if pgURL != "" {
				other = newLiveServer(t, st, liveOptions{pgURL: pgURL}) // another process
			}
			product := relay.Encode(fx.products[4].ID)
			rater := s.as(s.token(t, fx.users[1].ID))
			const rate = `mutation($p: ID!) { rateProduct(productID: $p, stars: 3) { stars } }`

			// No subscriber yet, so the count is the mutation's alone: the token's account,
			// the product's category, the upsert, the rating read back — and, on Postgres,
			// the NOTIFY, which used to run after COMMIT on a connection of its own and is
			// now the transaction's last statement.
			counter.Reset(true)
			rater.MustData(t, &struct{}{}, rate, map[string]any{"p": product})
			stmts := counter.Statements()
			want := 4
			if pgURL != "" {
				want = 5
				require.Contains(t, stmts[len(stmts)-1], "pg_notify", "the NOTIFY comes last, inside the transaction")
			}
			require.Len(t, stmts, want, "%q", stmts)
			require.Equal(t, 1, counter.Transactions())

			w := other.connect(t, nil)
			if pgURL != "" {
				// The counted rating's NOTIFY may still be on its way to the other process, which
				// would hand it to a subscription that starts now. Notifications arrive in commit
				// order: once a later one has arrived, that one has too.
				sentinel := relay.Encode(fx.products[5].ID)
				w.subscribe("sentinel", summaryDoc, map[string]any{"p": sentinel})
				w.none(100 * time.Millisecond)
				rater.MustData(t, &struct{}{}, rate, map[string]any{"p": sentinel})
				w.data("sentinel", &struct{}{})
			}
			w.subscribe("s", summaryDoc, map[string]any{"p": product})
			w.none(200 * time.Millisecond)
			rater.MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 5) { stars } }`, map[string]any{"p": product})
			var got struct{ RatingSummaryChanged struct{ Count int } }
			w.data("s", &got)
			require.Equal(t, 1, got.RatingSummaryChanged.Count)

			// A transaction that rolls back took its NOTIFY with it.
			resp := rater.Do(t, `mutation($p: ID!) { a: rateProduct(productID: $p, stars: 1) { stars }
				b: rateProduct(productID: $p, stars: 9) { stars } }`, map[string]any{"p": product})
			require.NotEmpty(t, resp.Errors)
			w.none(300 * time.Millisecond)
		})
	}
}

// TestFailedNotifyFailsTheMutation: on Postgres a write and its event commit together, so a
// NOTIFY that fails fails the mutation — with a plain INTERNAL_SERVER_ERROR, not the database's
// message — and the write rolls back: no rating is stored, and no subscriber hears of it. The
// test makes Postgres refuse the NOTIFY by shadowing pg_notify with a function that raises (the
// database's search_path puts public before pg_catalog), then removes it to show the same
// mutation then succeeds and publishes.
func TestFailedNotifyFailsTheMutation(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	admin, err := sql.Open("postgres", url)
	require.NoError(t, err)
	defer admin.Close()
	var name string
	require.NoError(t, admin.QueryRow(`SELECT current_database()`).Scan(&name))
	// Before the store opens: every later session of the database takes the search_path.
	_, err = admin.Exec(`ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` SET search_path = public, pg_catalog`)
	require.NoError(t, err)
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), DatabaseURL: url})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	fx := loadFixture(t, st.Client)
	s := newLiveServer(t, st, liveOptions{pgURL: url})
	other := newLiveServer(t, st, liveOptions{pgURL: url})
	product := relay.Encode(fx.products[4].ID)
	w := other.connect(t, nil)
	w.subscribe("s", summaryDoc, map[string]any{"p": product})
	w.none(200 * time.Millisecond)

	_, err = st.DB.Exec(`CREATE FUNCTION public.pg_notify(text, text) RETURNS void AS $$
		BEGIN RAISE EXCEPTION 'NOTIFY refused by the test'; END $$ LANGUAGE plpgsql`)
	require.NoError(t, err)
	rater := s.as(s.token(t, fx.users[1].ID))
	const rate = `mutation($p: ID!) { rateProduct(productID: $p, stars: 4) { stars } }`
	resp := rater.Do(t, rate, map[string]any{"p": product})
	require.Len(t, resp.Errors, 1, "%+v", resp)
	require.Equal(t, "INTERNAL_SERVER_ERROR", resp.Errors[0].Code())
	require.NotContains(t, resp.Errors[0].Message, "refused by the test")
	stored, err := st.Client.Rating.Query().Where(rating.ProductID(fx.products[4].ID), rating.UserID(fx.users[1].ID)).Exist(ctx)
	require.NoError(t, err)
	require.False(t, stored, "the rating rolled back with its NOTIFY")
	w.none(300 * time.Millisecond)

	_, err = st.DB.Exec(`DROP FUNCTION public.pg_notify(text, text)`)
	require.NoError(t, err)
	rater.MustData(t, &struct{}{}, rate, map[string]any{"p": product})
	var got struct{ RatingSummaryChanged struct{ Count int } }
	w.data("s", &got)
	require.Equal(t, 1, got.RatingSummaryChanged.Count)
}

// collect reads messages until every id in want has completed, and returns each id's "next"
// payloads in order.
func collect(t *testing.T, w *wsClient, want ...string) map[string][]json.RawMessage {
	t.Helper()
	out := map[string][]json.RawMessage{}
	done := map[string]bool{}
	for len(done) < len(want) {
		m := w.next(5 * time.Second)
		switch m.Type {
		case "next":
			var p struct {
				Data   json.RawMessage `json:"data"`
				Errors []gqltest.Error `json:"errors"`
			}
			require.NoError(t, json.Unmarshal(m.Payload, &p))
			require.Empty(t, p.Errors, "%s", m.Payload)
			out[m.ID] = append(out[m.ID], p.Data)
		case "complete":
			done[m.ID] = true
		default:
			t.Fatalf("unexpected %s message: %s", m.Type, m.Payload)
		}
	}
	return out
}

// TestSubscriptionProductDeleted: a deleted product's subscriptions get a last event — a
// PRODUCT_DELETED review event, the empty rating summary — and then complete; the aggregate of
// its category moves to the numbers without its ratings.
func TestSubscriptionProductDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{})
		p := fx.products[1] // in the outdoor subtree
		product, cat := relay.Encode(p.ID), relay.Encode(fx.outdoor.ID)
		s.as(s.token(t, fx.users[1].ID)).MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 2) { stars } }`, map[string]any{"p": product})
		w := s.connect(t, nil)
		w.subscribe("r", reviewEventsDoc, map[string]any{"p": product})
		w.subscribe("s", summaryDoc, map[string]any{"p": product})
		w.subscribe("c", `subscription($c: ID!) { ratingStatsChanged(scope: {categoryID: $c}) { count average distribution } }`, map[string]any{"c": cat})
		w.subscribe("ps", `subscription($p: ID!) { ratingStatsChanged(scope: {productID: $p}) { count } }`, map[string]any{"p": product})
		w.none(200 * time.Millisecond)

		admin := s.as(s.token(t, fx.users[0].ID))
		admin.MustData(t, &struct{}{}, `mutation($id: ID!) { deleteProduct(id: $id) }`, map[string]any{"id": product})
		got := collect(t, w, "r", "s", "ps")
		require.Len(t, got["ps"], 1, "a product-scoped aggregate ends too, after its last state")
		require.JSONEq(t, `{"ratingStatsChanged": {"count": 0}}`, string(got["ps"][0]))
		require.Len(t, got["r"], 1)
		require.JSONEq(t, `{"reviewEvents": {"kind": "PRODUCT_DELETED", "productID": "`+product+`", "reviewID": null, "review": null}}`, string(got["r"][0]))
		require.Len(t, got["s"], 1)
		require.JSONEq(t, `{"ratingSummaryChanged": {"count": 0, "average": null, "distribution": [0, 0, 0, 0, 0]}}`, string(got["s"][0]))

		var stats struct{ RatingStatsChanged json.RawMessage }
		if len(got["c"]) == 0 { // the aggregate may come before or after the two completes
			w.data("c", &stats)
		} else {
			require.NoError(t, json.Unmarshal(got["c"][0], &stats))
		}
		var fresh struct{ RatingStats json.RawMessage }
		s.gql.MustData(t, &fresh, `query($c: ID!) { ratingStats(filter: {categoryID: $c}) { count average distribution } }`, map[string]any{"c": cat})
		require.JSONEq(t, string(fresh.RatingStats), string(stats.RatingStatsChanged))

		t.Run("MovedProductChangesBothSubtrees", func(t *testing.T) {
			kitchen := relay.Encode(fx.kitchen.ID)
			w.subscribe("k", `subscription($c: ID!) { ratingStatsChanged(scope: {categoryID: $c}) { count } }`, map[string]any{"c": kitchen})
			w.none(200 * time.Millisecond)
			moved := relay.Encode(fx.products[2].ID) // outdoor subtree, rated in the fixture
			s.as(s.token(t, fx.users[2].ID)).MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 5) { stars } }`, map[string]any{"p": moved})
			var c, k struct{ RatingStatsChanged struct{ Count int } }
			w.data("c", &c)
			w.none(200 * time.Millisecond) // kitchen is not concerned
			admin.MustData(t, &struct{}{}, `mutation($id: ID!, $c: ID!) { updateProduct(id: $id, input: {categoryID: $c}) { id } }`, map[string]any{"id": moved, "c": kitchen})
			var afterC struct{ RatingStatsChanged struct{ Count int } }
			seen := map[string]bool{}
			for len(seen) < 2 {
				m := w.next(5 * time.Second)
				require.Equal(t, "next", m.Type, "%s", m.Payload)
				var p struct{ Data json.RawMessage }
				require.NoError(t, json.Unmarshal(m.Payload, &p))
				switch m.ID {
				case "c":
					require.NoError(t, json.Unmarshal(p.Data, &afterC))
				case "k":
					require.NoError(t, json.Unmarshal(p.Data, &k))
				}
				seen[m.ID] = true
			}
			ratings := st.Client.Rating.Query().Where(rating.ProductID(fx.products[2].ID)).CountX(context.Background())
			require.Equal(t, c.RatingStatsChanged.Count-ratings, afterC.RatingStatsChanged.Count)
			var freshK struct{ RatingStats struct{ Count int } }
			s.gql.MustData(t, &freshK, `query($c: ID!) { ratingStats(filter: {categoryID: $c}) { count } }`, map[string]any{"c": kitchen})
			require.Equal(t, freshK.RatingStats.Count, k.RatingStatsChanged.Count)
		})

		t.Run("ModeratorDeletesAReview", func(t *testing.T) {
			rev := st.Client.Review.Query().Where(review.ProductIDNEQ(p.ID), review.AuthorIDNEQ(fx.users[0].ID)).FirstX(context.Background())
			w.subscribe("m", `subscription($p: ID!) { reviewEvents(productID: $p) { kind reviewID } }`, map[string]any{"p": relay.Encode(rev.ProductID)})
			w.none(200 * time.Millisecond)
			admin.MustData(t, &struct{}{}, `mutation($id: ID!) { deleteReview(id: $id) }`, map[string]any{"id": relay.Encode(rev.ID)})
			var ev struct {
				ReviewEvents struct{ Kind, ReviewID string }
			}
			w.data("m", &ev)
			require.Equal(t, "DELETED", ev.ReviewEvents.Kind)
			require.Equal(t, relay.Encode(rev.ID), ev.ReviewEvents.ReviewID)
		})
	})
}

// TestReviewEventsReadOncePerEvent: twenty subscribers of one product cost one read of the
// new review, not twenty; each still resolves the review's fields with its own rights (an
// admin sees the author's email, an anonymous subscriber null).
func TestReviewEventsReadOncePerEvent(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			st, counter, pgURL := countedLiveStore(t, kind)
			fx := loadFixture(t, st.Client)
			s := newLiveServer(t, st, liveOptions{pgURL: pgURL, maxSubs: 20})
			product := relay.Encode(fx.products[7].ID)
			const doc = `subscription($p: ID!) { reviewEvents(productID: $p) { kind review { title author { email } } } }`
			anon := s.connect(t, nil)
			admin := s.connect(t, map[string]any{"Authorization": s.token(t, fx.users[0].ID)})
			for i := range 10 {
				anon.subscribe(fmt.Sprint(i), doc, map[string]any{"p": product})
				admin.subscribe(fmt.Sprint(i), doc, map[string]any{"p": product})
			}
			require.Eventually(t, func() bool { return s.ws.Subscriptions() == 20 }, 5*time.Second, 10*time.Millisecond,
				"every subscription listens")
			require.Equal(t, int64(1), s.broker.Stats().Subscribers, "one shared subscription for the product")

			counter.Reset(true)
			s.as(s.token(t, fx.users[2].ID)).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": product, "t": "Once"})
			type event struct {
				ReviewEvents struct {
					Kind   string
					Review struct {
						Title  string
						Author struct{ Email *string }
					}
				}
			}
			for _, c := range []struct {
				w     *wsClient
				email *string
			}{{anon, nil}, {admin, new("user2@example.com")}} {
				seen := map[string]bool{}
				for len(seen) < 10 {
					m := c.w.next(5 * time.Second)
					require.Equal(t, "next", m.Type, "%s", m.Payload)
					var p struct {
						Data event
					}
					require.NoError(t, json.Unmarshal(m.Payload, &p))
					require.Equal(t, "Once", p.Data.ReviewEvents.Review.Title)
					require.Equal(t, c.email, p.Data.ReviewEvents.Review.Author.Email)
					seen[m.ID] = true
				}
			}
			reads := 0
			for _, q := range counter.Statements() {
				q = strings.ReplaceAll(q, "`", `"`)
				if strings.Contains(q, `FROM "reviews" WHERE "reviews"."id" =`) {
					reads++
				}
			}
			require.Equal(t, 1, reads, "%q", counter.Statements())
		})
	}
}

// TestSubscriptionDeliveryIsTraced: with tracing on, an event carries the publishing span's
// trace context (through NOTIFY on Postgres), and its delivery to this process's subscribers
// and the read shared by a product's reviewEvents subscribers are spans under the mutation's
// root field, in the write's trace.
func TestSubscriptionDeliveryIsTraced(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			st, _, pgURL := countedLiveStore(t, kind)
			fx := loadFixture(t, st.Client)
			rec := tracetest.NewSpanRecorder()
			tr := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
			s := newLiveServer(t, st, liveOptions{pgURL: pgURL, tracing: tr})
			p := fx.products[9]
			w := s.connect(t, nil)
			w.subscribe("t", reviewEventsDoc, map[string]any{"p": relay.Encode(p.ID)})
			w.none(200 * time.Millisecond)
			s.as(s.token(t, fx.users[1].ID)).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": relay.Encode(p.ID), "t": "Traced"})
			var ev reviewEvent
			w.data("t", &ev)

			find := func(name string) sdktrace.ReadOnlySpan {
				for _, s := range rec.Ended() {
					if s.Name() == name {
						return s
					}
				}
				return nil
			}
			var deliver, read sdktrace.ReadOnlySpan
			require.Eventually(t, func() bool {
				deliver, read = find("live deliver review.created"), find(fmt.Sprintf("live subscription each|reviews|p%d", p.ID))
				return deliver != nil && read != nil
			}, 5*time.Second, 10*time.Millisecond)
			root := find("Mutation.addReview")
			require.NotNil(t, root)
			for _, s := range []sdktrace.ReadOnlySpan{deliver, read} {
				require.Equal(t, root.SpanContext().TraceID(), s.SpanContext().TraceID(), s.Name())
				require.Equal(t, root.SpanContext().SpanID(), s.Parent().SpanID(), "%s is a child of the publishing span", s.Name())
				require.Equal(t, trace.SpanKindConsumer, s.SpanKind())
			}
			require.Contains(t, attrs(read), "vitrine.live.subscribers=1")
		})
	}
}

// TestSubscriptionRecheckFollowsRoles: a connection's caller is fixed when it connects, and
// rechecked every RecheckInterval: an admin demoted while subscribed is closed with 4403 and a
// reason that says why, so the private data it was getting stops; a promoted user's connection
// carries on (with the rights it connected with).
func TestSubscriptionRecheckFollowsRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{})
		ctx := context.Background()
		product := relay.Encode(fx.products[11].ID)
		const doc = `subscription($p: ID!) { reviewEvents(productID: $p) { review { author { email } } } }`
		mod := st.Client.User.Create().SetEmail("mod@example.com").SetDisplayName("Mod").SetPasswordHash("!").SetRole(user.RoleADMIN).SaveX(ctx)
		admin := s.connect(t, map[string]any{"Authorization": s.token(t, mod.ID)})
		admin.subscribe("a", doc, map[string]any{"p": product})
		shopper := s.connect(t, map[string]any{"Authorization": s.token(t, fx.users[2].ID)})
		shopper.subscribe("u", doc, map[string]any{"p": product})
		admin.none(300 * time.Millisecond) // a few rechecks pass

		s.as(s.token(t, fx.users[1].ID)).MustData(t, &struct{}{}, addReviewDoc, map[string]any{"p": product, "t": "Private"})
		var ev struct {
			ReviewEvents struct {
				Review struct{ Author struct{ Email *string } }
			}
		}
		admin.data("a", &ev)
		require.Equal(t, "user1@example.com", *ev.ReviewEvents.Review.Author.Email, "an admin sees authors' emails")
		shopper.data("u", &ev)
		require.Nil(t, ev.ReviewEvents.Review.Author.Email)

		st.Client.User.UpdateOneID(fx.users[2].ID).SetRole(user.RoleADMIN).ExecX(ctx)
		st.Client.User.UpdateOne(mod).SetRole(user.RoleUSER).ExecX(ctx)
		_, err := admin.read(5 * time.Second)
		require.Equal(t, coderws.StatusCode(4403), coderws.CloseStatus(err))
		var ce coderws.CloseError
		require.ErrorAs(t, err, &ce)
		require.Contains(t, ce.Reason, "role was lowered from ADMIN to USER")
		shopper.none(300 * time.Millisecond) // promoted: still open
	})
}

// TestSubscriptionChargedOnceAtStart: a subscription spends its cost from the client's bucket
// once, when it starts; its events are free. With a bucket that holds a few subscriptions and
// a clock that restores nothing, thirty events reach the first subscription without a
// THROTTLED error, the bucket pays for exactly floor(bucket/cost) subscriptions, and the next
// one is refused with THROTTLED and completed while the first keeps receiving.
func TestSubscriptionChargedOnceAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		const bucket = 20
		clk := &clock{t: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
		th := &throttle.Throttle{Buckets: throttle.NewLocal(bucket, 1, clk.now), Log: quiet}
		s := newLiveServer(t, st, liveOptions{throttle: th, maxSubs: 50})
		rev := fx.reviews[0]
		vars := map[string]any{"p": relay.Encode(rev.ProductID)}
		w := s.connect(t, nil)
		w.subscribe("first", reviewEventsDoc, vars)
		require.Eventually(t, func() bool { return s.broker.Stats().Subscribers == 1 }, 5*time.Second, 10*time.Millisecond)

		cost := 0
		for i := range 30 {
			s.broker.Publish(context.Background(), live.Event{Kind: live.ReviewUpdated, ProductID: rev.ProductID, ReviewID: rev.ID})
			m := w.next(5 * time.Second)
			require.Equal(t, "next", m.Type, "event %d: %s", i, m.Payload)
			var p struct {
				Errors     []gqltest.Error
				Extensions struct{ Cost struct{ Requested int } }
			}
			require.NoError(t, json.Unmarshal(m.Payload, &p))
			require.Empty(t, p.Errors, "event %d was charged", i)
			cost = p.Extensions.Cost.Requested
		}
		require.Positive(t, cost)
		require.Greater(t, 30*cost, bucket, "charging each event would have emptied the bucket")

		// The first subscription paid cost; the bucket pays for the others it can hold.
		paid := bucket/cost - 1
		for i := range paid {
			w.subscribe(fmt.Sprint(i), reviewEventsDoc, vars)
		}
		w.none(300 * time.Millisecond) // all accepted: nothing until an event
		w.subscribe("refused", reviewEventsDoc, vars)
		m := w.next(5 * time.Second)
		require.Equal(t, "refused", m.ID)
		require.Equal(t, "next", m.Type)
		require.Contains(t, string(m.Payload), `"THROTTLED"`)
		require.Equal(t, "complete", w.next(5*time.Second).Type)

		s.broker.Publish(context.Background(), live.Event{Kind: live.ReviewUpdated, ProductID: rev.ProductID, ReviewID: rev.ID})
		got := map[string]bool{}
		for range paid + 1 {
			m := w.next(5 * time.Second)
			require.Equal(t, "next", m.Type)
			require.NotContains(t, string(m.Payload), "THROTTLED")
			got[m.ID] = true
		}
		require.True(t, got["first"])
	})
}
