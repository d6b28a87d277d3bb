// Package dashboard serves the ratings dashboard: one HTML page, its own small script and
// stylesheet, and a vendored charting library, all embedded in the binary so the page works on
// hosts without internet and never loads code from a CDN.
//
// The page is a client of the public GraphQL API and nothing else: the documents it runs are
// the .graphql files under queries/, sent verbatim (so a server that only runs trusted
// documents can list them), and every chart offers the document it ran, with the values it ran
// with, to copy into the playground or a client.
//
// The charting library is Chart.js, copied verbatim from the npm registry. It was chosen over
// uPlot (a quarter of its size) because the dashboard's charts are mostly categorical — a 1★–5★
// histogram, ranked products as horizontal bars, count bars under an average line on a second
// axis — which Chart.js draws with its stock controllers, while uPlot is built for dense time
// series and would need hand-written bar paths and axes. Chart.js ships a UMD build (a plain
// <script>, no build step), has no runtime dependencies and injects no stylesheet, so the page's
// Content-Security-Policy needs no 'unsafe-inline'.
//
//	npm pack chart.js@4.6.1   (registry integrity sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==)
//	package/dist/chart.umd.min.js -> assets/chart.umd.min.js
//	package/LICENSE.md            -> assets/LICENSE-chart.js (MIT)
package dashboard

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/vitrinehq/vitrine/internal/webasset"
)

//go:embed assets queries
var files embed.FS

// Content types are pinned, not looked up in the host's mime table: a wrong type combined with
// nosniff would make the browser refuse the script.
const (
	typeJS   = "text/javascript; charset=utf-8"
	typeCSS  = "text/css; charset=utf-8"
	typeText = "text/plain; charset=utf-8"
)

// assetTypes lists every file served under the asset prefix, so a stray file dropped into
// assets/ is never exposed and a missing one fails New.
var assetTypes = map[string]string{
	"chart.umd.min.js": typeJS,
	"dashboard.js":     typeJS,
	"dashboard.css":    typeCSS,
	// Served so the MIT notice travels with the code it covers.
	"LICENSE-chart.js": typeText,
	// Without an icon of its own the browser asks for /favicon.ico, which is a 404.
	"favicon.svg": "image/svg+xml",
}

// QueriesDir is the embedded directory of the documents the page runs; Queries reads it.
const QueriesDir = "queries"

// Dashboard holds the rendered page and the embedded files it references. It is immutable
// after New and safe for concurrent use.
type Dashboard struct {
	assets *webasset.Set
	page   []byte
	csp    string
}

// New prepares the dashboard once, so serving a request does no template or hashing work.
//
// endpoint is the GraphQL endpoint the page queries, a path ("/graphql") or an absolute URL;
// assetPrefix is the URL path under which the caller mounts Assets (e.g. "/dashboard/assets/");
// playground is the URL of the GraphiQL page the dashboard links to ("" for no link).
func New(endpoint, assetPrefix, playground string) (*Dashboard, error) {
	if endpoint == "" {
		return nil, fmt.Errorf("dashboard: endpoint must not be empty")
	}
	assets, err := webasset.Load(files, "assets", assetPrefix, assetTypes)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	d := &Dashboard{assets: assets}
	queries, err := Queries()
	if err != nil {
		return nil, err
	}
	byName := make(map[string]string, len(queries))
	for file, doc := range queries {
		byName[strings.TrimSuffix(file, ".graphql")] = doc
	}
	queriesJSON, err := json.Marshal(byName)
	if err != nil {
		return nil, fmt.Errorf("dashboard: encode queries: %w", err)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, pageData{
		Endpoint:   endpoint,
		Playground: playground,
		Queries:    string(queriesJSON),
		ChartJS:    d.ref("chart.umd.min.js"),
		Script:     d.ref("dashboard.js"),
		Style:      d.ref("dashboard.css"),
		License:    d.ref("LICENSE-chart.js"),
		Icon:       d.ref("favicon.svg"),
	}); err != nil {
		return nil, fmt.Errorf("dashboard: render page: %w", err)
	}
	d.page = buf.Bytes()
	if d.csp, err = policy(endpoint); err != nil {
		return nil, err
	}
	return d, nil
}

// Queries returns the documents the page runs, by file name (e.g. "rating-trend.graphql"),
// exactly as they are sent: a server restricted to trusted documents must hold these files.
func Queries() (map[string]string, error) {
	entries, err := fs.ReadDir(files, QueriesDir)
	if err != nil {
		return nil, fmt.Errorf("dashboard: embedded queries: %w", err)
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		if path.Ext(e.Name()) != ".graphql" {
			continue
		}
		b, err := files.ReadFile(QueriesDir + "/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("dashboard: embedded query: %w", err)
		}
		out[e.Name()] = string(b)
	}
	return out, nil
}

// policy is the page's Content-Security-Policy. The page has no inline script or style at all,
// so nothing runs but the embedded files from this origin; requests go to the GraphQL endpoint
// only (connect-src 'self' also covers the same origin's ws: and wss: in CSP Level 3 browsers,
// so the live socket needs no entry of its own; TestDashboardInBrowser checks it); downloads of CSV files are blob: URLs, which the policy does not need to name.
func policy(endpoint string) (string, error) {
	connect, err := webasset.ConnectSources(endpoint)
	if err != nil {
		return "", fmt.Errorf("dashboard: %w", err)
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; "), nil
}

// ref builds the tag attributes of one asset. The content hash in the query string changes
// whenever the file does, which makes the year-long immutable caching in Assets safe.
func (d *Dashboard) ref(name string) assetRef { return d.assets.Ref(name) }

// Page returns the handler of the HTML page.
func (d *Dashboard) Page() http.Handler {
	// The page reads its state from the URL; it must not leak it to other sites.
	return webasset.Page(d.page, d.csp, map[string]string{"Referrer-Policy": "same-origin"})
}

// Assets returns the handler of the embedded script, stylesheet, library and licence. Mount
// it on the assetPrefix given to New; it strips the prefix itself. Responses are cacheable for
// a year because every URL the page emits carries the file's content hash.
func (d *Dashboard) Assets() http.Handler { return d.assets.Handler() }

type assetRef = webasset.Ref

type pageData struct {
	Endpoint, Playground, Queries         string
	ChartJS, Script, Style, License, Icon assetRef
}

// pageTemplate is the page's static skeleton; dashboard.js fills it. The configuration travels
// in data- attributes (html/template escapes them), so the page needs no inline script.
// crossorigin="anonymous" keeps SRI enforced should the assets move to another host.
var pageTemplate = template.Must(template.New("dashboard").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ratings dashboard · Vitrine</title>
<link rel="icon" type="image/svg+xml" href="{{.Icon.URL}}">
<link rel="stylesheet" href="{{.Style.URL}}" integrity="{{.Style.Integrity}}" crossorigin="anonymous">
<script src="{{.ChartJS.URL}}" integrity="{{.ChartJS.Integrity}}" crossorigin="anonymous" defer></script>
<script src="{{.Script.URL}}" integrity="{{.Script.Integrity}}" crossorigin="anonymous" defer></script>
</head>
<body data-endpoint="{{.Endpoint}}" data-queries="{{.Queries}}" data-state="loading">
<header class="top">
  <h1>Ratings dashboard</h1>
  <p class="sub">Every number below comes from Vitrine's public GraphQL API; each chart shows the query behind it.{{if .Playground}} <a href="{{.Playground}}">Open the playground</a>{{end}}</p>
</header>
<form id="controls" class="controls" aria-label="What to show">
  <fieldset class="scope">
    <legend>Scope</legend>
    <label>Category <select id="category"><option value="">Whole catalog</option></select></label>
    <div class="search">
      <label for="product-search">or a product</label>
      <input id="product-search" type="search" autocomplete="off" placeholder="Search products…"
        role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="product-results">
      <ul id="product-results" role="listbox" aria-label="Matching products" hidden></ul>
    </div>
    <p id="scope-path" class="scope-path" aria-live="polite"></p>
  </fieldset>
  <fieldset class="range">
    <legend>Time</legend>
    <label>Range <select id="range">
      <option value="7d">Last 7 days</option>
      <option value="30d">Last 30 days</option>
      <option value="90d">Last 90 days</option>
      <option value="12m">Last 12 months</option>
      <option value="custom">Custom…</option>
    </select></label>
    <span id="custom-range" hidden>
      <label>From <input id="from" type="date"></label>
      <label>To <input id="to" type="date"></label>
    </span>
    <label>Bucket <select id="bucket">
      <option value="DAY">Day</option>
      <option value="WEEK">Week</option>
      <option value="MONTH">Month</option>
    </select></label>
    <label>Time zone <select id="tz"></select></label>
    <label class="refresh"><input id="autorefresh" type="checkbox" checked> Keep up to date</label>
  </fieldset>
  <p class="status" id="status" role="status" aria-live="polite"></p>
</form>
<main id="cards" class="cards"></main>
<footer class="foot">Charts by <a href="{{.ChartJS.URL}}">Chart.js</a> (<a href="{{.License.URL}}">MIT licence</a>), served by this server.</footer>
</body>
</html>
`))
