package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/dashboard"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/storetest"
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
			env := map[string]string{"DATABASE_URL": storetest.URL(t), "VITRINE_DATA_DIR": t.TempDir()}
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
	checkLive(t, p, gql, queries, tr)
	p.check(t, base)
}
