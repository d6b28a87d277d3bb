package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// checkLive: with the page open, ratings another client adds through the API reach the drawn
// numbers through the page's ratingStatsChanged subscription within seconds (the minute timer
// would take up to 60 s), in the whole catalog and again after the scope changes to a category,
// which the page resubscribes to. It adds ratings, so it runs after every check against the
// brute-force truth.
func checkLive(t *testing.T, p *page, gql *gqltest.Client, queries map[string]string, tr *truth) {
	t.Helper()
	waitLive(t, p)
	product := relay.Encode(busiestProduct(tr))
	var info struct {
		Product struct{ Category struct{ ID string } }
	}
	gql.MustData(t, &info, `query($id: ID!) { product(id: $id) { category { id } } }`, map[string]any{"id": product})

	rateAndSee(t, p, gql, queries, product, 1, "catalog")

	p.act(t, setControl("category", info.Product.Category.ID))
	waitLive(t, p)
	rateAndSee(t, p, gql, queries, product, 5, "category")
	p.screenshot(t, "dashboard-live.png")
}

func waitLive(t *testing.T, p *page) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.live === 'on'`, chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err, "the page did not subscribe")
}

var liveRaters int

// rateAndSee has a new user rate product through the API and waits until the distribution the
// page draws is the API's new answer to the variables the card ran.
func rateAndSee(t *testing.T, p *page, gql *gqltest.Client, queries map[string]string, product string, stars int, what string) {
	t.Helper()
	before := readCards(t, p)["distribution"]
	require.Equal(t, "ready", before.State)
	liveRaters++
	var reg struct{ Register struct{ Token string } }
	gql.MustData(t, &reg, `mutation($e: String!) { register(input: {email: $e, password: "a-long-password-1", name: "Live rater"}) { token } }`,
		map[string]any{"e": fmt.Sprintf("live-rater-%d-%d@example.com", liveRaters, time.Now().UnixNano())})
	rater := &gqltest.Client{URL: gql.URL, Header: map[string][]string{"Authorization": {"Bearer " + reg.Register.Token}}}
	start := time.Now()
	rater.MustData(t, &struct{}{}, `mutation($p: ID!, $s: Int!) { rateProduct(productID: $p, stars: $s) { stars } }`, map[string]any{"p": product, "s": stars})

	var api struct{ RatingStats struct{ Distribution []int } }
	gql.MustData(t, &api, queries["rating-stats.graphql"], before.Variables)
	require.Equal(t, atoi(t, before.Rows[stars-1]["count"])+1, api.RatingStats.Distribution[stars-1], "%s: the API counts the new %d★ rating", what, stars)
	// Polled here, not in require.Eventually, which would read the page from another goroutine.
	var drawn []int
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if c := readCards(t, p)["distribution"]; c.State == "ready" && len(c.Rows) == 5 {
			drawn = columnInts(t, c.Rows, "count")
			if fmt.Sprint(drawn) == fmt.Sprint(api.RatingStats.Distribution) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the page did not draw the API's new answer %v within 10 s (drawn %v; page: %s)", what, api.RatingStats.Distribution, drawn,
				eval[string](t, p, `'generation ' + document.body.dataset.generation + ', live ' + document.body.dataset.live + ', ' + document.getElementById('status').textContent`))
		}
	}
	t.Logf("%s: a %d★ rating was drawn %s after the mutation", what, stars, time.Since(start).Round(10*time.Millisecond))
}
