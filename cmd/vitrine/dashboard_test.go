package main

import (
	"context"
	"crypto/sha512"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/dashboard"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/pgtest"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// TestDashboardInBrowser opens /dashboard in headless Chromium against a server holding the
// demo catalog, on each store, and checks that the numbers drawn (read from the accessible
// tables' data-value cells) equal the API's answers to the variables each chart ran and a
// brute-force count over the raw rows, as scope, range, bucket and time zone change.
func TestDashboardInBrowser(t *testing.T) {
	chromium(t)
	stores := []struct {
		name  string
		start func(t *testing.T) (string, *sql.DB)
	}{
		{"SQLite", func(t *testing.T) (string, *sql.DB) {
			dir := t.TempDir()
			base, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": dir})
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "vitrine.db")+"?mode=ro&_pragma=busy_timeout(5000)")
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return base, db
		}},
		{"Postgres", func(t *testing.T) (string, *sql.DB) {
			env := map[string]string{"DATABASE_URL": pgtest.URL(t), "VITRINE_DATA_DIR": t.TempDir()}
			require.NoError(t, run(context.Background(), []string{"seed"}, func(k string) string { return env[k] }, nil, &syncBuffer{}, nil))
			base, _ := startServer(t, env)
			db, err := sql.Open("postgres", env["DATABASE_URL"])
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return base, db
		}},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			base, db := s.start(t)
			checkDashboard(t, base, loadTruth(t, db))
		})
	}
}

// view is what the test expects the page to be showing.
type view struct {
	scope  scope
	preset string
	bucket string
	tz     string
}

func (v view) scopeID() (category, product string) {
	if v.scope.category != 0 {
		category = relay.Encode(v.scope.category)
	}
	if v.scope.product != 0 {
		product = relay.Encode(v.scope.product)
	}
	return
}

// bounds is the range a preset means: whole local days ending with today in loc.
func (v view) bounds(t *testing.T) (from, to time.Time, loc *time.Location) {
	loc, err := time.LoadLocation(v.tz)
	require.NoError(t, err)
	now := time.Now().In(loc)
	y, m, d := now.Date()
	to = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	switch v.preset {
	case "7d":
		from = time.Date(y, m, d-6, 0, 0, 0, 0, loc)
	case "30d":
		from = time.Date(y, m, d-29, 0, 0, 0, 0, loc)
	case "90d":
		from = time.Date(y, m, d-89, 0, 0, 0, 0, loc)
	case "12m":
		from = time.Date(y, m-11, 1, 0, 0, 0, 0, loc)
	default:
		t.Fatalf("unknown preset %q", v.preset)
	}
	return from, to, loc
}

type card struct {
	State     string              `json:"state"`
	Variables map[string]any      `json:"variables"`
	Rows      []map[string]string `json:"rows"`
	Summary   string              `json:"summary"`
}

const readCardsJS = `(() => {
  const out = {};
  for (const card of document.querySelectorAll('section.card')) {
    const rows = [...card.querySelectorAll('tbody tr')].filter((tr) => !tr.querySelector('td.empty')).map((tr) => {
      const r = {};
      if (tr.dataset.id) r.id = tr.dataset.id;
      for (const td of tr.cells) r[td.dataset.key] = td.dataset.value;
      return r;
    });
    out[card.id.replace('card-', '')] = {
      state: card.dataset.state,
      variables: card.dataset.variables ? JSON.parse(card.dataset.variables) : null,
      rows, summary: card.querySelector('.summary').textContent,
    };
  }
  return out;
})()`

// setControl changes a control as a person would, firing its change event.
func setControl(id, value string) string {
	v, _ := json.Marshal(value)
	return `(() => { const e = document.getElementById('` + id + `'); e.value = ` + string(v) + `; e.dispatchEvent(new Event('change', {bubbles: true})); })()`
}

func checkDashboard(t *testing.T, base string, tr *truth) {
	p := newPage(t)
	gql := &gqltest.Client{URL: base + "/graphql"}
	queries, err := dashboard.Queries()
	require.NoError(t, err)

	// With no tz in the URL the page takes the browser's time zone.
	p.timeZone(t, "Europe/Paris")
	p.grantClipboard(t, base)
	downloads := t.TempDir()
	p.downloadsTo(t, downloads)
	p.do(t, chromedp.Navigate(base+"/dashboard"))
	p.waitView(t, 0)
	require.Equal(t, "Europe/Paris", eval[string](t, p, `document.getElementById('tz').value`))
	v := view{preset: "30d", bucket: "DAY", tz: "Europe/Paris"}
	verifyView(t, p, gql, queries, tr, v)
	p.screenshot(t, "dashboard-desktop.png")

	v.tz = "UTC"
	p.act(t, setControl("tz", "UTC"))
	verifyView(t, p, gql, queries, tr, v)

	// A category in the middle of the tree: its subtree counts, its children are compared.
	v.scope = scope{category: middleCategory(t, tr)}
	category, _ := v.scopeID()
	p.act(t, setControl("category", category))
	require.Contains(t, eval[string](t, p, `document.getElementById('scope-path').textContent`), tr.names[v.scope.category])
	verifyView(t, p, gql, queries, tr, v)

	// A half-hour zone over 12 months (month buckets), then a zone with a DST change over
	// 90 days (week buckets, picked by the page).
	// ICU may list India's zone under its older name.
	v.tz = eval[string](t, p, `[...document.getElementById('tz').options].some((o) => o.value === 'Asia/Kolkata') ? 'Asia/Kolkata' : 'Asia/Calcutta'`)
	p.act(t, setControl("tz", v.tz))
	v.preset, v.bucket = "12m", "MONTH"
	p.act(t, setControl("range", "12m"))
	verifyView(t, p, gql, queries, tr, v)
	v.tz = "America/New_York"
	p.act(t, setControl("tz", v.tz))
	v.preset, v.bucket = "90d", "WEEK"
	p.act(t, setControl("range", "90d"))
	verifyView(t, p, gql, queries, tr, v)

	// The comparison table sorts, and opens a category by a click on its name.
	p.do(t, chromedp.Click(chromedp.CSS(`#table-categories th[data-key="ratingCount"] button`)))
	cards := readCards(t, p)
	counts := columnInts(t, cards["categories"].Rows, "ratingCount")
	require.True(t, sort.SliceIsSorted(counts, func(i, j int) bool { return counts[i] > counts[j] }), "sorted by ratings, most first: %v", counts)
	first := cards["categories"].Rows[0]
	p.click(t, `#table-categories tbody tr:first-child button.link`)
	id, err := relay.Decode(first["id"])
	require.NoError(t, err)
	v.scope = scope{category: id}
	verifyView(t, p, gql, queries, tr, v)

	// A product, found by typing into the search box.
	v.scope = scope{product: busiestProduct(tr)}
	_, product := v.scopeID()
	name := productName(t, gql, product)
	p.do(t, chromedp.SendKeys(chromedp.CSS("#product-search"), name),
		chromedp.WaitVisible(chromedp.CSS(`#product-results li[data-id="`+product+`"]`)))
	p.click(t, `#product-results li[data-id="`+product+`"]`)
	verifyView(t, p, gql, queries, tr, v)
	p.screenshot(t, "dashboard-product.png")

	// "Copy query" puts a document that runs as it is (the values as variable defaults) on
	// the clipboard, and it answers what the chart shows.
	p.do(t, chromedp.Click(chromedp.CSS(`#card-rating-trend button.copy`)))
	copied := eval[string](t, p, `navigator.clipboard.readText()`)
	require.True(t, strings.HasPrefix(copied, "query DashboardRatingTrend("), copied)
	var ran struct {
		RatingTrend []struct {
			Start   string
			Count   int
			Average *float64
		}
	}
	gql.MustData(t, &ran, copied, nil)
	rows := readCards(t, p)["rating-trend"].Rows
	require.Len(t, ran.RatingTrend, len(rows))
	for i, r := range rows {
		require.Equal(t, r["start"], ran.RatingTrend[i].Start)
		require.Equal(t, atoi(t, r["count"]), ran.RatingTrend[i].Count)
	}

	// "Download CSV" writes the table's raw values.
	p.do(t, chromedp.Click(chromedp.CSS(`#card-rating-trend button.csv`)))
	file := filepath.Join(downloads, "rating-trend.csv")
	var body []byte
	require.Eventually(t, func() bool { body, err = os.ReadFile(file); return err == nil && len(body) > 0 }, 10*time.Second, 50*time.Millisecond)
	records, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"Bucket start", "Ratings", "Average"}, records[0])
	require.Len(t, records, len(rows)+1)
	for i, r := range rows {
		require.Equal(t, []string{r["start"], r["count"], r["average"]}, records[i+1])
	}
	p.check(t, base)

	// On a phone-width screen nothing overflows sideways.
	p.phone(t)
	p.do(t, chromedp.Navigate(base+"/dashboard?tz=UTC&range=7d"))
	p.waitView(t, 0)
	require.False(t, eval[bool](t, p, `document.documentElement.scrollWidth > window.innerWidth`), "the page scrolls sideways at 390 px")
	verifyView(t, p, gql, queries, tr, view{preset: "7d", bucket: "DAY", tz: "UTC"})
	p.screenshot(t, "dashboard-phone.png")
	p.check(t, base)
}

func readCards(t *testing.T, p *page) map[string]card {
	t.Helper()
	return eval[map[string]card](t, p, readCardsJS)
}

// verifyView checks every card against the view the test expects, the API and the raw rows.
func verifyView(t *testing.T, p *page, gql *gqltest.Client, queries map[string]string, tr *truth, v view) {
	t.Helper()
	cards := readCards(t, p)
	from, to, loc := v.bounds(t)
	category, product := v.scopeID()

	// The charts over the range ran with the range, bucket, zone and scope of the view.
	for _, name := range []string{"distribution", "rating-trend", "review-trend"} {
		c := cards[name]
		require.Equal(t, "ready", c.State, name)
		f, _ := c.Variables["filter"].(map[string]any)
		require.Equal(t, from.UTC(), mustTime(t, f["from"]).UTC(), "%s: from", name)
		require.Equal(t, to.UTC(), mustTime(t, f["to"]).UTC(), "%s: to", name)
		require.Equal(t, category, str(f["categoryID"]), name)
		require.Equal(t, product, str(f["productID"]), name)
		if name != "distribution" {
			require.Equal(t, v.bucket, c.Variables["bucket"], name)
			require.Equal(t, v.tz, c.Variables["timeZone"], name)
		}
	}

	// Rating distribution.
	var stats struct{ RatingStats struct{ Distribution []int } }
	c := cards["distribution"]
	gql.MustData(t, &stats, queries["rating-stats.graphql"], c.Variables)
	brute := tr.distribution(v.scope, from, to)
	require.Len(t, c.Rows, 5)
	for i, r := range c.Rows {
		require.Equal(t, strconv.Itoa(i+1), r["stars"])
		require.Equal(t, stats.RatingStats.Distribution[i], atoi(t, r["count"]), "%d★ drawn vs API", i+1)
		require.Equal(t, brute[i], atoi(t, r["count"]), "%d★ drawn vs SQL", i+1)
	}

	// Trends.
	for _, tc := range []struct {
		card, query, field string
		rows               []timedRow
	}{
		{"rating-trend", "rating-trend.graphql", "ratingTrend", tr.ratings},
		{"review-trend", "review-trend.graphql", "reviewTrend", tr.reviews},
	} {
		c := cards[tc.card]
		var api map[string][]struct {
			Start   string
			Count   int
			Average *float64
		}
		gql.MustData(t, &api, queries[tc.query], c.Variables)
		points := api[tc.field]
		want := tr.trend(tc.rows, v.scope, v.bucket, from, to, loc)
		require.Len(t, c.Rows, len(points), tc.card)
		require.Len(t, c.Rows, len(want), tc.card)
		for i, r := range c.Rows {
			require.Equal(t, points[i].Start, r["start"], tc.card)
			require.True(t, want[i].start.Equal(mustTime(t, r["start"])), "%s bucket %d starts %s, want %s", tc.card, i, r["start"], want[i].start)
			require.Equal(t, points[i].Count, atoi(t, r["count"]), "%s %s drawn vs API", tc.card, r["start"])
			require.Equal(t, want[i].count, atoi(t, r["count"]), "%s %s drawn vs SQL", tc.card, r["start"])
			if tc.card == "rating-trend" {
				if want[i].count == 0 {
					require.Empty(t, r["average"])
					require.Nil(t, points[i].Average)
				} else {
					require.Equal(t, *points[i].Average, atof(t, r["average"]))
					require.True(t, near(float64(want[i].sum)/float64(want[i].count), atof(t, r["average"])))
				}
			}
		}
	}

	// All-time charts: none for a single product.
	if v.scope.product != 0 {
		require.Equal(t, "na", cards["top-rated"].State)
		require.Equal(t, "na", cards["categories"].State)
		return
	}
	verifyTopRated(t, gql, queries, tr, v, cards["top-rated"])
	verifyCategories(t, gql, queries, tr, v, cards["categories"])
}

func verifyTopRated(t *testing.T, gql *gqltest.Client, queries map[string]string, tr *truth, v view, c card) {
	t.Helper()
	require.Equal(t, "ready", c.State)
	category, _ := v.scopeID()
	require.Equal(t, category, str(c.Variables["categoryID"]))
	var api struct {
		TopRatedProducts []struct {
			Product        struct{ ID string }
			Average, Score float64
			Count          int
		}
	}
	gql.MustData(t, &api, queries["top-rated.graphql"], c.Variables)
	want := tr.topRated(v.scope, 5, 1<<30)
	byProduct := map[int]productScore{}
	for _, s := range want {
		byProduct[s.product] = s
	}
	require.Len(t, c.Rows, len(api.TopRatedProducts))
	require.Len(t, c.Rows, min(10, len(want)))
	for i, r := range c.Rows {
		a := api.TopRatedProducts[i]
		require.Equal(t, a.Product.ID, r["id"])
		require.Equal(t, a.Score, atof(t, r["score"]))
		require.Equal(t, a.Average, atof(t, r["average"]))
		require.Equal(t, a.Count, atoi(t, r["count"]))
		id, err := relay.Decode(r["id"])
		require.NoError(t, err)
		s, ok := byProduct[id]
		require.True(t, ok, "product %d is not eligible by SQL", id)
		require.Equal(t, s.count, atoi(t, r["count"]))
		require.True(t, near(s.score, atof(t, r["score"])), "product %d score %s, SQL %v", id, r["score"], s.score)
		require.True(t, near(want[i].score, atof(t, r["score"])), "rank %d", i+1)
	}
}

func verifyCategories(t *testing.T, gql *gqltest.Client, queries map[string]string, tr *truth, v view, c card) {
	t.Helper()
	require.Equal(t, "ready", c.State)
	var api struct {
		CategoryStats []struct {
			Category                               struct{ ID string }
			ProductCount, RatingCount, ReviewCount int
			AverageRating                          *float64
		}
	}
	gql.MustData(t, &api, queries["category-stats.graphql"], c.Variables)
	want := tr.categoryStats(v.scope.category)
	require.Len(t, c.Rows, len(api.CategoryStats))
	require.Len(t, c.Rows, len(want))
	byID := map[string]int{}
	for i, a := range api.CategoryStats {
		byID[a.Category.ID] = i
	}
	for _, r := range c.Rows {
		i, ok := byID[r["id"]]
		require.True(t, ok, "category %s drawn but not answered", r["id"])
		a := api.CategoryStats[i]
		require.Equal(t, a.ProductCount, atoi(t, r["productCount"]))
		require.Equal(t, a.RatingCount, atoi(t, r["ratingCount"]))
		require.Equal(t, a.ReviewCount, atoi(t, r["reviewCount"]))
		id, err := relay.Decode(r["id"])
		require.NoError(t, err)
		w, ok := want[id]
		require.True(t, ok, "category %d is not a child by SQL", id)
		require.Equal(t, w.products, atoi(t, r["productCount"]), tr.names[id])
		require.Equal(t, w.ratings, atoi(t, r["ratingCount"]), tr.names[id])
		require.Equal(t, w.reviews, atoi(t, r["reviewCount"]), tr.names[id])
		if w.ratings > 0 {
			require.Equal(t, *a.AverageRating, atof(t, r["averageRating"]))
			require.True(t, near(float64(w.stars)/float64(w.ratings), atof(t, r["averageRating"])))
		}
	}
}

// middleCategory is a category with both a parent and children, the one with most ratings.
func middleCategory(t *testing.T, tr *truth) int {
	t.Helper()
	hasChildren := map[int]bool{}
	for _, p := range tr.parent {
		hasChildren[p] = true
	}
	best, most := 0, -1
	for c, p := range tr.parent {
		if p == 0 || !hasChildren[c] {
			continue
		}
		if n := tr.categoryStats(p)[c].ratings; n > most {
			best, most = c, n
		}
	}
	require.NotZero(t, best, "the demo catalog has a three-level tree")
	return best
}

// busiestProduct is the product with the most ratings.
func busiestProduct(tr *truth) int {
	n := map[int]int{}
	best := 0
	for _, r := range tr.ratings {
		n[r.product]++
		if n[r.product] > n[best] || (n[r.product] == n[best] && r.product < best) {
			best = r.product
		}
	}
	return best
}

func productName(t *testing.T, gql *gqltest.Client, id string) string {
	t.Helper()
	var out struct{ Product struct{ Name string } }
	gql.MustData(t, &out, `query($id: ID!) { product(id: $id) { name } }`, map[string]any{"id": id})
	return out.Product.Name
}

func columnInts(t *testing.T, rows []map[string]string, key string) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = atoi(t, r[key])
	}
	return out
}

func mustTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err, "a time: %v", v)
	return tm
}

func str(v any) string { s, _ := v.(string); return s }

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return f
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestDashboardPage checks what the server sends for /dashboard without a browser: a strict
// policy, no-cache page, immutable assets whose integrity matches their bytes, and the
// switch that turns it off.
func TestDashboardPage(t *testing.T) {
	base, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir()})
	status, h, body := httpGet(t, base+"/dashboard")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "no-cache", h.Get("Cache-Control"))
	require.Contains(t, h.Get("Content-Security-Policy"), "script-src 'self';")
	require.NotContains(t, h.Get("Content-Security-Policy"), "unsafe")
	// Every script and stylesheet carries the SRI hash of the bytes the server sends.
	refs := regexp.MustCompile(`(?:src|href)="(/dashboard/assets/[^"?]+\?v=[0-9a-f]+)"(?: integrity="([^"]+)")?`).FindAllStringSubmatch(body, -1)
	require.Len(t, refs, 6, "script, library, stylesheet, icon and the licence (twice: link text and notice)")
	integrity := 0
	for _, ref := range refs {
		status, h, asset := httpGet(t, base+ref[1])
		require.Equal(t, http.StatusOK, status, ref[1])
		require.Contains(t, h.Get("Cache-Control"), "immutable")
		if ref[2] != "" {
			sum := sha512.Sum384([]byte(asset))
			require.Equal(t, "sha384-"+base64.StdEncoding.EncodeToString(sum[:]), html.UnescapeString(ref[2]), ref[1])
			integrity++
		}
	}
	require.Equal(t, 3, integrity, "the two scripts and the stylesheet")
	status, _, _ = httpGet(t, base+"/dashboard/assets/nope.js")
	require.Equal(t, http.StatusNotFound, status)

	off, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_DASHBOARD": "false"})
	status, _, _ = httpGet(t, off+"/dashboard")
	require.Equal(t, http.StatusNotFound, status)
}

// TestDashboardWithTrustedDocuments: a server that runs only trusted documents serves the
// dashboard when they include its queries (which also proves the queries valid against the
// schema: the server validates trusted documents at start), and turns it off, saying why, when
// they do not.
func TestDashboardWithTrustedDocuments(t *testing.T) {
	base, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_TRUSTED_DOCUMENTS": "../../internal/dashboard/queries"})
	status, _, _ := httpGet(t, base+"/dashboard")
	require.Equal(t, http.StatusOK, status)
	queries, err := dashboard.Queries()
	require.NoError(t, err)
	var out struct{ RatingStats struct{ Count int } }
	(&gqltest.Client{URL: base + "/graphql"}).MustData(t, &out, queries["rating-stats.graphql"], nil)
	require.Positive(t, out.RatingStats.Count)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.graphql"), []byte("query App { categories { totalCount } }\n"), 0o644))
	base, logs := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_TRUSTED_DOCUMENTS": dir})
	status, _, _ = httpGet(t, base+"/dashboard")
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, logs.String(), "the dashboard is off")
}
