// Package playground serves a GraphiQL IDE whose JavaScript and CSS are
// embedded in the binary, so the playground works on air-gapped hosts and
// never loads third-party code from a CDN at runtime.
//
// gqlgen's own playground.Handler is not used: its template cannot preset
// the editor content (defaultQuery) and it renders through the legacy
// ReactDOM.render API. The page here is a small template of our own on top
// of the same upstream bundles.
//
// The files under assets/ are copied verbatim from the npm registry and must
// stay on these versions: graphiql 5 is ESM-only and React 19 ships no UMD
// build, so neither can be loaded with plain <script> tags.
//
//	npm pack graphiql@4.1.2 react@18.3.1 react-dom@18.3.1
//	graphiql-4.1.2.tgz  package/graphiql.min.js, package/graphiql.min.css, package/LICENSE -> LICENSE-graphiql
//	react-18.3.1.tgz     package/umd/react.production.min.js, package/LICENSE -> LICENSE-react
//	react-dom-18.3.1.tgz package/umd/react-dom.production.min.js, package/LICENSE -> LICENSE-react-dom
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/vitrinehq/vitrine/internal/webasset"
)

//go:embed assets
var assetFS embed.FS

// Content types are pinned rather than taken from the mime package, whose
// answer depends on the host's /etc/mime.types; a wrong type combined with
// nosniff would make the browser refuse the script.
const (
	typeJS   = "text/javascript; charset=utf-8"
	typeCSS  = "text/css; charset=utf-8"
	typeText = "text/plain; charset=utf-8"
)

// assetTypes lists every file served under the asset prefix. Keeping it
// explicit means a stray file dropped into assets/ is never exposed, and a
// missing one makes New fail instead of producing a half-broken page.
var assetTypes = map[string]string{
	"graphiql.min.js":             typeJS,
	"graphiql.min.css":            typeCSS,
	"react.production.min.js":     typeJS,
	"react-dom.production.min.js": typeJS,
	// Served so the MIT notices travel with the code they cover.
	"LICENSE-graphiql":  typeText,
	"LICENSE-react":     typeText,
	"LICENSE-react-dom": typeText,
}

// Playground holds a pre-rendered GraphiQL page and the embedded files it
// references. It is immutable after New and safe for concurrent use.
type Playground struct {
	assets *webasset.Set
	page   []byte
	// csp is the page's Content-Security-Policy (see policy).
	csp string
}

// Option adjusts the page New renders.
type Option func(*pageData)

// WithoutIntrospection renders the page for a server that refuses introspection: GraphiQL is
// given no schema, so it does not ask for one (which would fail on every load), and a notice
// says why the editor has no completion or docs. Queries still run.
func WithoutIntrospection() Option {
	return func(d *pageData) { d.NoSchema = true }
}

// New prepares the playground once, so request handling does no template or
// hashing work and configuration mistakes surface at start-up.
//
// title is the HTML page title. endpoint is the GraphQL endpoint the page
// queries; it may be a path ("/query") or an absolute URL. assetPrefix is the
// URL path under which the caller mounts Assets, e.g. "/playground/assets/";
// it must start with "/" (a trailing "/" is added when missing). defaultQuery
// is shown in the editor on a user's first visit; afterwards GraphiQL restores
// the user's own last query from localStorage. An empty defaultQuery keeps
// GraphiQL's built-in welcome text.
func New(title, endpoint, assetPrefix, defaultQuery string, opts ...Option) (*Playground, error) {
	if endpoint == "" {
		return nil, fmt.Errorf("playground: endpoint must not be empty")
	}
	assets, err := webasset.Load(assetFS, "assets", assetPrefix, assetTypes)
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	p := &Playground{assets: assets}

	data := pageData{
		Title:        title,
		Endpoint:     endpoint,
		DefaultQuery: defaultQuery,
		GraphiQLJS:   p.ref("graphiql.min.js"),
		GraphiQLCSS:  p.ref("graphiql.min.css"),
		React:        p.ref("react.production.min.js"),
		ReactDOM:     p.ref("react-dom.production.min.js"),
	}
	for _, o := range opts {
		o(&data)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("playground: render page: %w", err)
	}
	p.page = buf.Bytes()
	csp, err := policy(p.page, endpoint)
	if err != nil {
		return nil, err
	}
	p.csp = csp
	return p, nil
}

// inlineRE matches the page's inline <script> and <style> elements (those without a src).
var inlineRE = regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`)

// policy returns the page's Content-Security-Policy: nothing is allowed but the embedded
// assets from this origin, the page's own inline script and style by their hashes (computed
// from the rendered page, so they cannot drift from it), requests to the GraphQL endpoint, and
// the data: images and fonts GraphiQL's stylesheet carries. No other page may frame it.
func policy(page []byte, endpoint string) (string, error) {
	hashes := map[string][]string{}
	for _, m := range inlineRE.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[2])
		kind := string(m[1])
		hashes[kind] = append(hashes[kind], "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	connect, err := webasset.ConnectSources(endpoint)
	if err != nil {
		return "", fmt.Errorf("playground: %w", err)
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' " + strings.Join(hashes["script"], " "),
		"style-src 'self' " + strings.Join(hashes["style"], " "),
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; "), nil
}

// ref builds the tag attributes for one asset.
func (p *Playground) ref(name string) assetRef { return p.assets.Ref(name) }

// Page returns the handler for the GraphiQL HTML page; mount it on whatever path the
// playground should live at.
func (p *Playground) Page() http.Handler { return webasset.Page(p.page, p.csp, nil) }

// Assets returns the handler for the embedded JavaScript, CSS and licence
// files. Mount it on the assetPrefix given to New, e.g.
//
//	mux.Handle("/playground/assets/", pg.Assets())
//
// It strips assetPrefix itself, so it also works unchanged behind
// http.StripPrefix or a router that already removed the prefix.
// Responses are cacheable for a year because every URL the page emits
// carries the file's content hash.
func (p *Playground) Assets() http.Handler { return p.assets.Handler() }

type assetRef = webasset.Ref

type pageData struct {
	Title        string
	Endpoint     string
	DefaultQuery string
	GraphiQLJS   assetRef
	GraphiQLCSS  assetRef
	React        assetRef
	ReactDOM     assetRef
	// NoSchema keeps GraphiQL from introspecting (see WithoutIntrospection).
	NoSchema bool
}

// pageTemplate relies on html/template's contextual escaping: Endpoint and
// DefaultQuery land inside <script> and are emitted as safe JS string
// literals, so a query containing "</script>" cannot break out.
//
// crossorigin="anonymous" is kept even though the assets are same-origin:
// it keeps SRI enforcement working if the assets are ever moved behind a
// separate static host.
var pageTemplate = template.Must(template.New("graphiql").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; }
  #graphiql { flex: 1; min-height: 0; }
  .notice { padding: 0.5rem 1rem; font: 14px sans-serif; background: #fff3cd; color: #664d03; border-bottom: 1px solid #ffe69c; }
  .loading { height: 100%; display: flex; align-items: center; justify-content: center; font: 2rem sans-serif; }
</style>
<link rel="stylesheet" href="{{.GraphiQLCSS.URL}}" integrity="{{.GraphiQLCSS.Integrity}}" crossorigin="anonymous">
<script src="{{.React.URL}}" integrity="{{.React.Integrity}}" crossorigin="anonymous"></script>
<script src="{{.ReactDOM.URL}}" integrity="{{.ReactDOM.Integrity}}" crossorigin="anonymous"></script>
<script src="{{.GraphiQLJS.URL}}" integrity="{{.GraphiQLJS.Integrity}}" crossorigin="anonymous"></script>
</head>
<body>
{{- if .NoSchema}}
<div class="notice" role="status">Introspection is disabled on this server, so the editor has no schema: no completion, validation or docs. Queries still run.</div>
{{- end}}
<div id="graphiql"><div class="loading">Loading…</div></div>
<script>
  (function () {
    // Resolve against the page so a relative endpoint keeps working behind
    // proxies and the subscription URL follows the page's http/https.
    const url = new URL({{.Endpoint}}, window.location.href);
    const wsUrl = new URL(url.href);
    wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: wsUrl.href });
    const props = {
      fetcher: fetcher,
      // Users paste their own Authorization header; keep it across reloads
      // and open the headers tab so it is obvious where to put it.
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers',
      inputValueDeprecation: true,
    };
{{- if .NoSchema}}
    // null, not undefined: GraphiQL then sends no introspection query.
    props.schema = null;
{{- end}}
{{- if .DefaultQuery}}
    props.defaultQuery = {{.DefaultQuery}};
{{- end}}
    ReactDOM.createRoot(document.getElementById('graphiql'))
      .render(React.createElement(GraphiQL, props));
  })();
</script>
</body>
</html>
`))
