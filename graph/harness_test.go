package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/feedback"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/quiz"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testSecret signs the test stack's tokens; tests forge bad tokens against it.
var testSecret = []byte("test-secret-test-secret-test-secret!")

// testProxies hold the peer address of httptest.NewRequest, trusted as a load balancer.
var testProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}

const (
	testIssuer   = "vitrine"
	testAudience = "vitrine"
)

// env is a running Vitrine HTTP stack over one store.
type env struct {
	st       *store.Store
	gql      *gqltest.Client
	handler  http.Handler
	resolver *graph.Resolver
	fx       fixture
	tokens   *auth.Tokens
}

func newEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	return newEnvWithCost(t, st, bcrypt.MinCost)
}

// newEnvWithCost builds the stack with a given bcrypt cost behind a test HTTP server: tests use
// the minimum for speed, the login timing test uses production's.
func newEnvWithCost(t testing.TB, st *store.Store, cost int) *env {
	t.Helper()
	e := newStack(t, st, cost, server.Options{Introspection: true})
	srv := httptest.NewServer(e.handler)
	t.Cleanup(srv.Close)
	e.gql = &gqltest.Client{URL: srv.URL + "/graphql"}
	return e
}

// newStack builds the HTTP stack over st with the given bcrypt cost and server options, to be
// called in-process through env.handler. A nil opts.Log logs nowhere.
func newStack(t testing.TB, st *store.Store, cost int, opts server.Options) *env {
	t.Helper()
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tokens, err := auth.NewTokens(testSecret, time.Hour, testIssuer, testAudience)
	require.NoError(t, err)
	accounts, err := account.New(st.Client, cost)
	require.NoError(t, err)
	resolver := &graph.Resolver{
		Client:    st.Client,
		Catalog:   catalog.New(st.Client, st.Dialect),
		Analytics: analytics.New(st.Client, st.Dialect),
		Accounts:  accounts,
		Feedback:  feedback.New(st.Client),
		Tokens:    tokens,
		Finder:    quiz.New(st.Client, st.Dialect),
	}
	opts.Ready = st.Ping
	// httptest's requests come from 192.0.2.1: the load balancer, whose X-Request-ID is kept.
	opts.TrustedProxies = testProxies
	h := server.New(resolver, opts)
	return &env{st: st, handler: h, resolver: resolver, fx: loadFixture(t, st.Client), tokens: tokens,
		gql: &gqltest.Client{URL: "http://unused/graphql"}}
}

// as returns a client that sends the given bearer token (or raw Authorization header).
func (e *env) as(authorization string) *gqltest.Client {
	return &gqltest.Client{URL: e.gql.URL, Header: http.Header{"Authorization": {authorization}}}
}

// asUser returns a client authenticated as u with a valid token.
func (e *env) asUser(t testing.TB, u *ent.User) *gqltest.Client {
	t.Helper()
	tok, _, err := e.tokens.Issue(u.ID, u.Role)
	require.NoError(t, err)
	return e.as("Bearer " + tok)
}

// eachStore runs fn against a fresh stack with the fixture on every store.
func eachStore(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) { fn(t, newEnv(t, st)) })
}

// fixture is a small catalog whose shape the tests know: a three-level category tree, products
// with repeated prices (to exercise tie-breaking) and distinct creation times, users, reviews
// and ratings.
type fixture struct {
	outdoor, camping, tents, kitchen *ent.Category
	products                         []*ent.Product
	users                            []*ent.User // users[0] is an admin
	reviews                          []*ent.Review
	ratings                          []*ent.Rating
}

var base = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func loadFixture(t testing.TB, c *ent.Client) fixture {
	t.Helper()
	ctx := context.Background()
	var fx fixture
	fx.outdoor = c.Category.Create().SetName("Outdoor").SetSlug("outdoor").SaveX(ctx)
	fx.camping = c.Category.Create().SetName("Camping").SetSlug("camping").SetParent(fx.outdoor).SaveX(ctx)
	fx.tents = c.Category.Create().SetName("Tents").SetSlug("tents").SetParent(fx.camping).SaveX(ctx)
	fx.kitchen = c.Category.Create().SetName("Kitchen").SetSlug("kitchen").SaveX(ctx)
	cats := []*ent.Category{fx.outdoor, fx.camping, fx.tents, fx.kitchen}
	for i := range 30 {
		name, desc := fmt.Sprintf("Item %02d", i), "A sturdy everyday product."
		switch i {
		case 3:
			name, desc = "Waterproof Trail Jacket", "Light shell for rainy hikes."
		case 4:
			name, desc = "Wool Hiking Socks", "Cushioned socks that stay dry; waterproof boots pair well."
		case 5:
			name, desc = "Alpine Tent", "Two-person tent with waterproof fly."
		case 6:
			name, desc = "Cast Iron Skillet", "Pre-seasoned cast iron pan for searing."
		}
		fx.products = append(fx.products, c.Product.Create().
			SetSku(fmt.Sprintf("SKU-%03d", i)).
			SetName(name).
			SetSlug(fmt.Sprintf("item-%02d", i)).
			SetDescription(desc).
			SetPrice(int64(500+(i%10)*250)). // ten distinct prices, three products each
			SetCurrency("USD").
			SetStock(i%7).
			SetCategory(cats[i%4]).
			SetCreatedAt(base.Add(time.Duration(i)*time.Hour)).
			SetUpdatedAt(base.Add(time.Duration(30-i)*time.Hour)).
			SaveX(ctx))
	}
	for i := range 3 {
		role := user.RoleUSER
		if i == 0 {
			role = user.RoleADMIN
		}
		fx.users = append(fx.users, c.User.Create().
			SetEmail(fmt.Sprintf("user%d@example.com", i)).
			SetDisplayName(fmt.Sprintf("User %d", i)).
			SetPasswordHash("!").
			SetRole(role).
			SaveX(ctx))
	}
	for i, u := range fx.users {
		fx.reviews = append(fx.reviews, c.Review.Create().
			SetProduct(fx.products[0]).SetAuthor(u).
			SetTitle(fmt.Sprintf("Review %d", i)).SetBody("Body").
			SetCreatedAt(base.Add(time.Duration(i)*24*time.Hour)).
			SaveX(ctx))
		fx.ratings = append(fx.ratings, c.Rating.Create().
			SetProduct(fx.products[0]).SetUser(u).SetStars(3+i).SaveX(ctx))
	}
	return fx
}

// ids decodes the node IDs of a connection response.
type conn struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Cursor string         `json:"cursor"`
		Node   map[string]any `json:"node"`
	} `json:"edges"`
}

func (c conn) field(name string) []any {
	out := make([]any, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node[name]
	}
	return out
}

func requireCode(t *testing.T, e gqltest.Error, code string) {
	t.Helper()
	require.Equal(t, code, e.Code(), e.Message)
}

// logRecord returns the last JSON log record whose message is msg, or nil.
func logRecord(t testing.TB, logs, msg string) map[string]any {
	t.Helper()
	var found map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		if rec["msg"] == msg {
			found = rec
		}
	}
	return found
}
