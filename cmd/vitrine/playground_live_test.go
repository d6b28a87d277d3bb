package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// postGraphQL runs one operation against base and decodes its data.
func postGraphQL(t *testing.T, base, authorization, query string, vars map[string]any, dst any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.Empty(t, out.Errors)
	require.NoError(t, json.Unmarshal(out.Data, dst))
}

// TestPlaygroundRunsSubscriptions opens the embedded GraphiQL page in Chromium and subscribes
// with the fetcher the page builds (GraphiQL's bundled graphql-ws client, the page's CSP, the
// token as the Headers pane sends it); a review added by another client shows up in the tab.
func TestPlaygroundRunsSubscriptions(t *testing.T) {
	p := newPage(t)
	base, _ := startServer(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir()})
	var login struct{ Login struct{ Token string } }
	postGraphQL(t, base, "", `mutation { login(email: "shopper@demo.vitrine.dev", password: "demo-shopper-password") { token } }`, nil, &login)
	// A product the shopper has not reviewed yet.
	var page struct {
		Products struct {
			Edges []struct {
				Node struct {
					ID       string
					MyReview *struct{ ID string }
				}
			}
		}
	}
	postGraphQL(t, base, "Bearer "+login.Login.Token, `{ products(first: 50) { edges { node { id myReview { id } } } } }`, nil, &page)
	product := ""
	for _, e := range page.Products.Edges {
		if e.Node.MyReview == nil {
			product = e.Node.ID
			break
		}
	}
	require.NotEmpty(t, product)

	p.do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".graphiql-container")))
	token, _ := json.Marshal("Bearer " + login.Login.Token)
	vars, _ := json.Marshal(map[string]any{"p": product})
	eval[bool](t, p, `(async () => {
		window.liveEvents = [];
		const url = new URL('/graphql', location.href), ws = new URL(url.href);
		ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
		const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: ws.href });
		const stream = await fetcher({ query: 'subscription($p: ID!) { reviewEvents(productID: $p) { kind review { title } } }',
			variables: `+string(vars)+` }, { headers: { Authorization: `+string(token)+` },
			// What GraphiQL's editor passes: the parsed document, by which the fetcher picks the
			// WebSocket for a subscription (without it, a plain POST, which refuses subscriptions).
			documentAST: { kind: 'Document', definitions: [{ kind: 'OperationDefinition', operation: 'subscription' }] } });
		(async () => { for await (const r of stream) window.liveEvents.push(r); })();
		return true;
	})()`)
	// The subscription is registered once the socket is acknowledged; give it a moment.
	time.Sleep(time.Second)
	var added struct{ AddReview struct{ ID string } }
	postGraphQL(t, base, "Bearer "+login.Login.Token, `mutation($p: ID!) { addReview(input: {productID: $p, title: "Seen live", body: "From another tab."}) { id } }`, map[string]any{"p": product}, &added)
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.liveEvents.length > 0`, chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err, "no event reached the page")
	got := eval[string](t, p, `JSON.stringify(window.liveEvents[0].data)`)
	require.JSONEq(t, `{"reviewEvents":{"kind":"CREATED","review":{"title":"Seen live"}}}`, got)
	// No CSP refusal of the socket, no client error (the playground has no favicon: not ours).
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, problem := range p.problems {
		require.Contains(t, problem, "/favicon.ico", "the page logged an error")
	}
}
