package main

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/replica"
)

const grafanaDashboard = "../../deploy/grafana/vitrine.json"

type grafanaPanel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	GridPos    struct{ H, W, X, Y int }
	Targets    []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"`
}

// TestGrafanaDashboard checks deploy/grafana/vitrine.json: it is a dashboard Grafana can
// import, every PromQL query in it names only metrics Vitrine exports, and every metric of
// Vitrine's own is on it. What Vitrine exports is read from a real server's /metrics after a
// little traffic, plus the read replica router's collector (registered only with replicas).
func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile(grafanaDashboard)
	require.NoError(t, err)
	var dash struct {
		Title         string         `json:"title"`
		UID           string         `json:"uid"`
		SchemaVersion int            `json:"schemaVersion"`
		Panels        []grafanaPanel `json:"panels"`
		Templating    struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	require.NoError(t, dec.Decode(&dash))
	require.NotEmpty(t, dash.Title)
	require.NotEmpty(t, dash.UID)
	require.Positive(t, dash.SchemaVersion)

	exported := exportedMetrics(t)
	used := map[string]bool{}
	ids := map[int]bool{}
	var exprs []string
	var walk func([]grafanaPanel)
	walk = func(panels []grafanaPanel) {
		for _, p := range panels {
			require.False(t, ids[p.ID], "panel id %d is used twice", p.ID)
			ids[p.ID] = true
			require.NotEmpty(t, p.Title, "panel %d has no title", p.ID)
			require.Positive(t, p.GridPos.W, p.Title)
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			require.JSONEq(t, `{"type":"prometheus","uid":"${datasource}"}`, string(p.Datasource), "%s: the datasource is the dashboard's variable", p.Title)
			require.NotEmpty(t, p.Targets, p.Title)
			for _, tg := range p.Targets {
				require.NotEmpty(t, tg.RefID, p.Title)
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	walk(dash.Panels)
	for _, v := range dash.Templating.List {
		if v.Type == "query" {
			q, _ := json.Marshal(v.Query)
			var qq struct{ Query string }
			require.NoError(t, json.Unmarshal(q, &qq))
			exprs = append(exprs, qq.Query)
		}
	}
	for _, e := range exprs {
		names := promqlMetrics(e)
		require.NotEmpty(t, names, "no metric in %q", e)
		for _, n := range names {
			require.True(t, exported[n], "%q names %s, which Vitrine does not export", e, n)
			used[n] = true
		}
	}
	var missing []string
	for n := range exported {
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
		if strings.HasPrefix(n, "vitrine_") && !used[n] && !used[family+"_bucket"] && !used[family+"_count"] && !used[family] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "metrics of Vitrine's own that the dashboard does not show")
}

// exportedMetrics returns the series names Vitrine exports (a histogram as its _bucket, _sum
// and _count series).
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	// A low depth limit gives a rejection to count.
	base, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_MAX_DEPTH": "5"})
	gql := &gqltest.Client{URL: base + "/graphql"}
	var out struct{ Products struct{ TotalCount int } }
	gql.MustData(t, &out, `query Catalog { products(first: 5) { totalCount edges { node { name reviewCount ratingSummary { count } } } } }`, nil)
	gql.MustError(t, "GRAPHQL_VALIDATION_FAILED", `{ nope }`, nil)
	gql.MustError(t, "QUERY_TOO_DEEP", `{ products { edges { node { category { parent { parent { name } } } } } } }`, nil)

	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	names := map[string]bool{}
	for name, f := range families {
		if f.GetType() == dto.MetricType_HISTOGRAM {
			names[name+"_bucket"], names[name+"_sum"], names[name+"_count"] = true, true, true
			continue
		}
		names[name] = true
	}
	for _, want := range []string{"vitrine_graphql_requests_total", "vitrine_graphql_rejected_total", "vitrine_loader_batch_keys_bucket", "go_sql_in_use_connections"} {
		require.True(t, names[want], "the traffic above must make the server export %s", want)
	}
	// The router's collector describes its metrics without needing replicas to run.
	ch := make(chan *prometheus.Desc, 32)
	(&replica.Router{}).Collector().Describe(ch)
	close(ch)
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		m := fq.FindStringSubmatch(d.String())
		require.NotNil(t, m, d.String())
		names[m[1]] = true
	}
	return names
}

var (
	promStrings  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promMatchers = regexp.MustCompile(`\{[^{}]*\}|\[[^\[\]]*\]`)
	// Label lists of aggregations and vector matching: by (a, b), on(le), group_left(x).
	promLabelLists = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	// Grafana's label_values(metric, label) of a variable query: only its first argument selects.
	promLabelValues = regexp.MustCompile(`label_values\(([^,()]*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)`)
	promIdent       = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	promKeywords    = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true,
		"group_right": true, "bool": true, "and": true, "or": true, "unless": true, "offset": true, "inf": true, "nan": true}
)

// promqlMetrics returns the metric names a PromQL expression selects: identifiers outside
// strings, label matchers, ranges and label lists that are neither keywords nor function calls.
// Grafana's variables ($__rate_interval) live inside ranges or strings, so they drop out too.
func promqlMetrics(expr string) []string {
	s := promLabelValues.ReplaceAllString(expr, "($1)")
	s = promStrings.ReplaceAllString(s, `""`)
	s = promMatchers.ReplaceAllString(s, " ")
	s = promLabelLists.ReplaceAllString(s, " ")
	var out []string
	for _, loc := range promIdent.FindAllStringIndex(s, -1) {
		name := s[loc[0]:loc[1]]
		rest := strings.TrimLeft(s[loc[1]:], " \t\n")
		if promKeywords[strings.ToLower(name)] || strings.HasPrefix(rest, "(") {
			continue
		}
		if loc[0] > 0 && (s[loc[0]-1] == '$' || s[loc[0]-1] == '.' || (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9')) {
			continue // a variable, or part of a number such as 1e3
		}
		out = append(out, name)
	}
	return out
}

func TestPromQLMetrics(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`up`, []string{"up"}},
		{`sum by (code) (rate(vitrine_graphql_errors_total{instance=~"$instance"}[$__rate_interval]))`, []string{"vitrine_graphql_errors_total"}},
		{`histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{status=~"5.."}[5m])))`, []string{"a_bucket"}},
		{`sum(rate(a_total[1m])) / ignoring(outcome) group_left sum(rate(b_total[1m]))`, []string{"a_total", "b_total"}},
		{`label_values(vitrine_http_request_duration_seconds_count, instance)`, []string{"vitrine_http_request_duration_seconds_count"}},
		{`max by (replica) (x) > bool 1e3`, []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			require.Equal(t, tt.want, promqlMetrics(tt.expr))
		})
	}
}
