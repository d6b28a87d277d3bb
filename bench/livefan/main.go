// Command livefan measures Vitrine's subscription fan-out against a running server on Postgres
// (bench/live-fanout.sh starts one and runs it):
//
//   - fanout: S subscribers of one product's ratingSummaryChanged. Latency: one rating at a time,
//     spaced wider than the aggregate interval, the time from sending the mutation to each
//     subscriber's event (an upper bound on commit → delivery, as the mutation commits before it
//     answers). Throughput: mutations per second of
//     closed-loop mutators with no subscribers, with S, and with none again.
//   - dashboards: S subscribers of one category's ratingStatsChanged while ratings arrive at a
//     fixed rate: events per subscriber per second, and whether every subscriber's last event
//     equals a fresh ratingStats query once the ratings stop.
//
// Mutations carry real JWTs, signed with the server's secret for users read from the database.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	coderws "github.com/coder/websocket"
	_ "github.com/lib/pq"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/relay"
)

type options struct {
	url, db, secret string
	scenario        string
	subscribers     int
	duration        time.Duration
	mutators        int
	samples         int
	gap             time.Duration
	rate            int
	workers         int
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's base URL")
	flag.StringVar(&o.db, "db", "", "the server's Postgres URL, to read user, product and category IDs")
	flag.StringVar(&o.secret, "secret", "", "the server's JWT secret (VITRINE_JWT_SECRET)")
	flag.StringVar(&o.scenario, "scenario", "fanout", "fanout or dashboards")
	flag.IntVar(&o.subscribers, "subscribers", 1000, "subscribers, one connection each")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each throughput or load phase")
	flag.IntVar(&o.mutators, "mutators", 8, "fanout: closed-loop mutators in the throughput phases")
	flag.IntVar(&o.samples, "samples", 30, "fanout: ratings sent one at a time for the latency")
	flag.DurationVar(&o.gap, "gap", 1200*time.Millisecond, "fanout: time between those ratings, longer than the server's aggregate interval so that each is a change of its own, not part of a burst")
	flag.IntVar(&o.rate, "rate", 500, "dashboards: ratings per second")
	flag.IntVar(&o.workers, "workers", 64, "dashboards: ratings in flight at most (an open loop: a rating due when all are busy is not sent, and counted)")
	flag.Parse()
	if o.db == "" || o.secret == "" {
		log.Fatal("livefan: -db and -secret are required")
	}
	fx, err := loadFixture(o)
	if err != nil {
		log.Fatal(err)
	}
	switch o.scenario {
	case "fanout":
		err = fanout(o, fx)
	case "dashboards":
		err = dashboards(o, fx)
	default:
		err = fmt.Errorf("unknown scenario %q", o.scenario)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// fixture is what the scenarios rate: the products of the category with the most products,
// and tokens of users who rate them.
type fixture struct {
	category int
	products []int
	tokens   []string
}

func loadFixture(o options) (*fixture, error) {
	db, err := sql.Open("postgres", o.db)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	fx := &fixture{}
	if err := db.QueryRow(`SELECT category_id FROM products GROUP BY category_id ORDER BY count(*) DESC, category_id LIMIT 1`).Scan(&fx.category); err != nil {
		return nil, fmt.Errorf("pick a category: %w", err)
	}
	fx.products, err = ids(db, `SELECT id FROM products WHERE category_id = $1 ORDER BY id`, fx.category)
	if err != nil {
		return nil, err
	}
	users, err := ids(db, `SELECT id FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	if len(fx.products) == 0 || len(users) == 0 {
		return nil, errors.New("the database holds no products or no users: run vitrine seed")
	}
	tokens, err := auth.NewTokens([]byte(o.secret), 24*time.Hour, "vitrine", "vitrine")
	if err != nil {
		return nil, err
	}
	for _, id := range users {
		tok, _, err := tokens.Issue(id, user.RoleUSER)
		if err != nil {
			return nil, err
		}
		fx.tokens = append(fx.tokens, "Bearer "+tok)
	}
	return fx, nil
}

func ids(db *sql.DB, query string, args ...any) ([]int, error) {
	rows, err := db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// client posts GraphQL documents.
type client struct {
	url  string
	http *http.Client
}

func newClient(base string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns}
	return &client{url: base + "/graphql", http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (c *client) do(authz, query string, vars map[string]any, dst any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		return fmt.Errorf("graphql: %s", out.Errors[0].Message)
	}
	if dst != nil {
		return json.Unmarshal(out.Data, dst)
	}
	return nil
}

const rateDoc = `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`

// rater sends ratings over (user, product) pairs in turn, with stars that change every time,
// so that every rating changes the aggregates.
type rater struct {
	c     *client
	fx    *fixture
	n     atomic.Int64
	fails atomic.Int64
}

func (r *rater) rate(products []int) time.Duration {
	i := int(r.n.Add(1))
	u := r.fx.tokens[i%len(r.fx.tokens)]
	p := products[(i/len(r.fx.tokens))%len(products)]
	start := time.Now()
	if err := r.c.do(u, rateDoc, map[string]any{"p": relay.Encode(p), "s": 1 + i%5}, nil); err != nil {
		if r.fails.Add(1) <= 3 {
			log.Printf("rateProduct: %v", err)
		}
	}
	return time.Since(start)
}

// subscriber is one connection with one subscription; it stamps each event on arrival.
type subscriber struct {
	c      *coderws.Conn
	events chan event
}

type event struct {
	at      time.Time
	payload json.RawMessage
}

func subscribe(ctx context.Context, base, query string, vars map[string]any) (*subscriber, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := coderws.Dial(dctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	write := func(v any) error {
		b, _ := json.Marshal(v)
		return c.Write(dctx, coderws.MessageText, b)
	}
	if err := write(map[string]any{"type": "connection_init"}); err != nil {
		return nil, err
	}
	if _, msg, err := c.Read(dctx); err != nil || !bytes.Contains(msg, []byte("connection_ack")) {
		return nil, fmt.Errorf("no connection_ack: %v %s", err, msg)
	}
	if err := write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}}); err != nil {
		return nil, err
	}
	s := &subscriber{c: c, events: make(chan event, 4096)}
	go func() {
		defer close(s.events)
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			at := time.Now()
			var m struct {
				Type    string
				Payload json.RawMessage
			}
			if json.Unmarshal(msg, &m) != nil {
				continue
			}
			switch m.Type {
			case "ping":
				_ = c.Write(ctx, coderws.MessageText, []byte(`{"type":"pong"}`))
			case "next":
				select {
				case s.events <- event{at: at, payload: m.Payload}:
				default:
				}
			case "error", "complete":
				log.Printf("subscription ended: %s %s", m.Type, m.Payload)
				return
			}
		}
	}()
	return s, nil
}

func subscribeAll(ctx context.Context, n int, base, query string, vars map[string]any) ([]*subscriber, error) {
	subs := make([]*subscriber, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := subscribe(ctx, base, query, vars)
			if err != nil {
				errs <- err
				return
			}
			subs[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		closeAll(subs)
		return nil, err
	}
	// The subscribe message has no answer: give the server a moment to register them all.
	time.Sleep(time.Second)
	return subs, nil
}

// consume hands every subscriber's events to f (i is the subscriber's index; f runs on one
// goroutine per subscriber) until the returned stop is called; stop returns once they are done.
func consume(subs []*subscriber, f func(i int, ev event)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				case ev, ok := <-s.events:
					if !ok {
						return
					}
					f(i, ev)
				}
			}
		}()
	}
	return func() {
		close(done)
		wg.Wait()
	}
}

func closeAll(subs []*subscriber) {
	for _, s := range subs {
		if s != nil {
			_ = s.c.Close(coderws.StatusNormalClosure, "")
		}
	}
}

// drain empties every subscriber's queue.
func drain(subs []*subscriber) {
	for _, s := range subs {
		for len(s.events) > 0 {
			<-s.events
		}
	}
}

func fanout(o options, fx *fixture) error {
	ctx := context.Background()
	r := &rater{c: newClient(o.url, o.mutators), fx: fx}
	product := fx.products[0]
	one := []int{product}
	throughput := func(label string) float64 {
		var done atomic.Int64
		deadline := time.Now().Add(o.duration)
		var wg sync.WaitGroup
		for range o.mutators {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					r.rate(one)
					done.Add(1)
				}
			}()
		}
		wg.Wait()
		rps := float64(done.Load()) / o.duration.Seconds()
		fmt.Printf("throughput %-28s %7.1f rateProduct/s (%d mutators, %s)\n", label, rps, o.mutators, o.duration)
		return rps
	}
	fmt.Printf("fanout: product %d, %d subscribers of ratingSummaryChanged\n", product, o.subscribers)
	before := throughput("with no subscribers")

	doc := `subscription($p: ID!) { ratingSummaryChanged(productID: $p) { count average } }`
	subs, err := subscribeAll(ctx, o.subscribers, o.url, doc, map[string]any{"p": relay.Encode(product)})
	if err != nil {
		return err
	}
	defer closeAll(subs)
	fmt.Printf("opened %d subscriptions\n", len(subs))

	var lat []time.Duration
	var mutLat []time.Duration
	missed := 0
	for range o.samples {
		drain(subs)
		start := time.Now()
		mutLat = append(mutLat, r.rate(one))
		for _, s := range subs {
			select {
			case ev := <-s.events:
				lat = append(lat, ev.at.Sub(start))
			case <-time.After(5 * time.Second):
				missed++
			}
		}
		time.Sleep(o.gap)
	}
	fmt.Printf("latency, mutation sent -> event received, %d ratings x %d subscribers: %s; missed %d\n",
		o.samples, len(subs), quantiles(lat), missed)
	fmt.Printf("the mutations' own latency: %s\n", quantiles(mutLat))

	var received atomic.Int64
	stop := consume(subs, func(int, event) { received.Add(1) })
	with := throughput(fmt.Sprintf("with %d subscribers", len(subs)))
	stop()
	fmt.Printf("events received during it: %d (%.0f/s)\n", received.Load(), float64(received.Load())/o.duration.Seconds())
	closeAll(subs)
	time.Sleep(time.Second)
	after := throughput("with no subscribers, again")
	base := (before + after) / 2
	fmt.Printf("throughput with subscribers: %.1f%% of the mean without\n", 100*with/base)
	if f := r.fails.Load(); f > 0 {
		fmt.Printf("WARNING: %d mutations failed\n", f)
	}
	return nil
}

type stats struct {
	Count   int
	Average *float64
}

func dashboards(o options, fx *fixture) error {
	ctx := context.Background()
	c := newClient(o.url, o.workers)
	category := relay.Encode(fx.category)
	doc := `subscription($c: ID!) { ratingStatsChanged(scope: {categoryID: $c}) { count average } }`
	fmt.Printf("dashboards: category %d (%d products), %d subscribers of ratingStatsChanged, %d ratings/s for %s\n",
		fx.category, len(fx.products), o.subscribers, o.rate, o.duration)
	subs, err := subscribeAll(ctx, o.subscribers, o.url, doc, map[string]any{"c": category})
	if err != nil {
		return err
	}
	defer closeAll(subs)

	// Collect every subscriber's events from here on.
	type seen struct {
		at []time.Time
		st []stats
	}
	got := make([]seen, len(subs))
	stop := consume(subs, func(i int, ev event) {
		var p struct {
			Data struct{ RatingStatsChanged stats }
		}
		_ = json.Unmarshal(ev.payload, &p)
		got[i].at = append(got[i].at, ev.at)
		got[i].st = append(got[i].st, p.Data.RatingStatsChanged)
	})

	// Open-loop load: a rating every 1/rate s, each on a worker of its own from a pool.
	r := &rater{c: c, fx: fx}
	work := make(chan struct{}, o.rate)
	var sent, skipped atomic.Int64
	for range o.workers {
		go func() {
			for range work {
				r.rate(fx.products)
				sent.Add(1)
			}
		}()
	}
	// Each wake-up issues every rating due by then: a ticker drops the ticks of a late
	// receiver, so a busy machine would otherwise lower the offered rate unseen. Every due
	// rating is either handed to a worker or counted as not sent.
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(o.rate))
	issued := 0
	for time.Since(start) < o.duration {
		<-tick.C
		due := min(int(time.Since(start).Seconds()*float64(o.rate)), int(o.duration.Seconds()*float64(o.rate)))
		for ; issued < due; issued++ {
			select {
			case work <- struct{}{}:
			default:
				skipped.Add(1) // the server is behind: an open loop does not wait for it
			}
		}
	}
	tick.Stop()
	close(work)
	loadTime := time.Since(start)
	time.Sleep(3 * time.Second) // the last interval's event
	stop()

	var fresh struct{ RatingStats stats }
	if err := c.do("", `query($c: ID!) { ratingStats(filter: {categoryID: $c}) { count average } }`, map[string]any{"c": category}, &fresh); err != nil {
		return err
	}
	fmt.Printf("ratings due %d, sent %d in %s (%.0f/s), not sent for lack of a free worker %d, failed %d\n",
		issued, sent.Load(), loadTime.Round(time.Millisecond), float64(sent.Load())/loadTime.Seconds(), skipped.Load(), r.fails.Load())
	var counts []int
	maxPerSecond, equal, minGap := 0, 0, time.Duration(math.MaxInt64)
	for _, g := range got {
		counts = append(counts, len(g.at))
		for i := range g.at {
			n := 0
			for j := i; j < len(g.at) && g.at[j].Sub(g.at[i]) < time.Second; j++ {
				n++
			}
			maxPerSecond = max(maxPerSecond, n)
			if i > 0 {
				minGap = min(minGap, g.at[i].Sub(g.at[i-1]))
			}
		}
		if len(g.st) > 0 && g.st[len(g.st)-1].Count == fresh.RatingStats.Count &&
			floatsEqual(g.st[len(g.st)-1].Average, fresh.RatingStats.Average) {
			equal++
		}
	}
	slices.Sort(counts)
	fmt.Printf("events per subscriber: min %d, median %d, max %d over %s\n", counts[0], counts[len(counts)/2], counts[len(counts)-1], loadTime.Round(time.Second))
	fmt.Printf("most events one subscriber got within any 1 s: %d; shortest gap between two: %s\n", maxPerSecond, minGap.Round(time.Millisecond))
	fmt.Printf("last event equal to a fresh ratingStats (count %d): %d of %d subscribers\n", fresh.RatingStats.Count, equal, len(subs))
	return nil
}

func floatsEqual(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

func quantiles(d []time.Duration) string {
	if len(d) == 0 {
		return "no samples"
	}
	slices.Sort(d)
	q := func(p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(100 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %s, p90 %s, p99 %s, max %s", q(0.5), q(0.9), q(0.99), d[len(d)-1].Round(100*time.Microsecond))
}

func init() {
	log.SetOutput(os.Stderr)
	log.SetFlags(log.Ltime)
}
