package graph_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/server"
)

// federationDir holds the gateway (deploy/federation): Apollo Gateway and a second subgraph
// from npm, pinned by its package-lock.json.
const federationDir = "../deploy/federation"

// TestThroughApolloGateway composes Vitrine's committed subgraph SDL with a second subgraph
// that extends Product, puts Apollo Gateway in front, and sends it one query that spans both
// subgraphs in both directions: Vitrine's product gets shipping's field (the gateway calls
// shipping's _entities), shipping's product references get Vitrine's fields (the gateway
// calls Vitrine's _entities). The gateway forwards Authorization and X-Request-ID, so the
// caller's private fields, error codes and request IDs survive the hop.
func TestThroughApolloGateway(t *testing.T) {
	node := requireGatewayDeps(t)
	eachStore(t, func(t *testing.T, e *env) {
		vitrine := httptest.NewServer(server.New(e.resolver, server.Options{
			Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
			Ready:      e.st.Ping,
			Federation: true,
			// The gateway is the trusted proxy here: its X-Request-ID is kept.
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		}))
		t.Cleanup(vitrine.Close)

		featured := []string{relay.Encode(e.fx.products[3].ID), relay.Encode(e.fx.products[0].ID)}
		gw := startGateway(t, node, vitrine.URL+"/graphql", featured)

		client := e.asUser(t, e.fx.users[2])
		client.URL = gw
		client.Header.Set("X-Request-ID", "gateway-test-request")
		var out struct {
			FeaturedProducts []struct {
				Name             string
				ReviewCount      int
				Price            struct{ Amount string }
				Category         struct{ Name string }
				ShippingEstimate string
			}
			Product struct {
				Name             string
				ShippingEstimate string
			}
			Me struct {
				DisplayName string
				Email       *string
			}
		}
		client.MustData(t, &out, `query($id: ID!) {
			featuredProducts { name reviewCount price { amount } category { name } shippingEstimate }
			product(id: $id) { name shippingEstimate }
			me { displayName email }
		}`, map[string]any{"id": relay.Encode(e.fx.products[5].ID)})

		require.Len(t, out.FeaturedProducts, 2)
		require.Equal(t, "Waterproof Trail Jacket", out.FeaturedProducts[0].Name)
		require.Equal(t, e.fx.products[3].Name, out.FeaturedProducts[0].Name)
		require.Equal(t, "ships-"+featured[0], out.FeaturedProducts[0].ShippingEstimate)
		require.Equal(t, e.fx.products[0].Name, out.FeaturedProducts[1].Name)
		require.Equal(t, 3, out.FeaturedProducts[1].ReviewCount)
		require.Equal(t, "5.00", out.FeaturedProducts[1].Price.Amount)
		require.NotEmpty(t, out.FeaturedProducts[1].Category.Name)
		require.Equal(t, e.fx.products[5].Name, out.Product.Name)
		require.Equal(t, "ships-"+relay.Encode(e.fx.products[5].ID), out.Product.ShippingEstimate)
		require.Equal(t, "User 2", out.Me.DisplayName)
		require.NotNil(t, out.Me.Email, "the gateway forwards Authorization: the caller sees their own email")
		require.Equal(t, "user2@example.com", *out.Me.Email)

		// Anonymous through the gateway: nobody's email.
		anon := &gqltest.Client{URL: gw}
		var me struct{ Me *struct{ Email *string } }
		anon.MustData(t, &me, `{ me { email } }`, nil)
		require.Nil(t, me.Me)

		// Vitrine's error code and the caller's request ID come back through the gateway.
		res := client.Do(t, `{ product(id: "not-an-id") { name shippingEstimate } }`, nil)
		require.NotEmpty(t, res.Errors)
		require.Equal(t, "BAD_USER_INPUT", res.Errors[0].Code(), "%+v", res.Errors)
		require.Equal(t, "gateway-test-request", res.Errors[0].Extensions["requestId"], "%+v", res.Errors)
	})
}

// requireGatewayDeps returns the node binary once deploy/federation's packages are installed
// (npm ci from the lock file when node_modules is missing). Without node it skips, or fails
// under CI=true, where .ci/run installs it.
func requireGatewayDeps(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal("node is not installed: the federation gateway test needs Node.js 20+ and npm (.ci/run installs them)")
		}
		t.Skip("node is not installed: skipping the federation gateway test (install Node.js 20+ and npm to run it)")
	}
	if _, err := os.Stat(filepath.Join(federationDir, "node_modules", "@apollo", "gateway")); err != nil {
		npm, err := exec.LookPath("npm")
		require.NoError(t, err, "npm is needed to install deploy/federation's packages")
		cmd := exec.Command(npm, "ci")
		cmd.Dir = federationDir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "npm ci in deploy/federation:\n%s", out)
	}
	return node
}

// startGateway runs deploy/federation/gateway.mjs against vitrineURL and returns the gateway's
// GraphQL URL; the process is stopped when the test ends.
func startGateway(t *testing.T, node, vitrineURL string, featured []string) string {
	t.Helper()
	sdl, err := filepath.Abs("../schema/subgraph.graphql")
	require.NoError(t, err)
	cmd := exec.Command(node, "gateway.mjs")
	cmd.Dir = federationDir
	cmd.Env = append(os.Environ(), "VITRINE_URL="+vitrineURL, "VITRINE_SDL="+sdl, "FEATURED_IDS="+strings.Join(featured, ","))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "gateway listening on "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	select {
	case u, ok := <-urls:
		require.True(t, ok, "the gateway exited before listening:\n%s", stderr.String())
		return u
	case <-ctx.Done():
		t.Fatalf("the gateway did not start within 60s:\n%s", stderr.String())
	}
	return ""
}
