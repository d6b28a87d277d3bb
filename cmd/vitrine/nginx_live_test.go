package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// nginxBinary finds Debian's nginx (installed by .ci/run); without it the test skips loudly,
// except under CI=true.
func nginxBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no nginx found (CI=true): apt-get install nginx, as .ci/run does")
	}
	t.Skip("SKIPPED: no nginx found; apt-get install nginx to run the subscription-through-nginx test")
	return ""
}

// serveOn starts one Vitrine process on env and returns its address.
func serveOn(t *testing.T, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, logs, func(a net.Addr) { addrc <- a })
	}()
	select {
	case a := <-addrc:
		t.Cleanup(func() { cancel(); <-done })
		return a.String()
	case err := <-done:
		cancel()
		t.Fatalf("serve exited early: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("serve did not start\n%s", logs)
	}
	return ""
}

// TestSubscriptionThroughNginx runs deploy/nginx.conf in front of two Vitrine processes on one
// Postgres database: two subscriptions through nginx land on both processes, and a review
// added through nginx reaches both, and a third subscriber's Server-Sent Events stream while it
// is open, not gzipped.
func TestSubscriptionThroughNginx(t *testing.T) {
	bin := nginxBinary(t)
	env := map[string]string{"DATABASE_URL": storetest.URL(t), "VITRINE_DATA_DIR": t.TempDir(), "VITRINE_METRICS_PUBLIC": "true",
		// nginx is the only peer: believe its X-Forwarded-For.
		"VITRINE_TRUSTED_PROXIES": "127.0.0.1/32"}
	a := serveOn(t, env)
	b := serveOn(t, env)

	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o755))
	src, err := os.ReadFile("../../deploy/nginx.conf")
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	conf := regexp.MustCompile(`(\n\s*server vitrine-\d+:8080[^\n]*)+`).ReplaceAllString(string(src),
		"\n        server "+a+";\n        server "+b+";")
	conf = strings.Replace(conf, "listen 80 default_server;", "listen 127.0.0.1:"+strconv.Itoa(port)+" default_server;", 1)
	conf = strings.Replace(conf, "/var/log/nginx/access.log", "logs/access.log", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644))
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off; pid "+dir+"/nginx.pid; error_log "+dir+"/logs/error.log;")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGQUIT); _ = cmd.Wait() })
	front := "127.0.0.1:" + strconv.Itoa(port)
	eventually(t, "nginx answers", func() bool {
		res, err := http.Get("http://" + front + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})

	// A product to review, written straight to the shared database.
	st, err := store.Open(context.Background(), store.Options{DatabaseURL: env["DATABASE_URL"], DataDir: t.TempDir()})
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	cat := st.Client.Category.Create().SetName("Live").SetSlug("live").SaveX(ctx)
	p := st.Client.Product.Create().SetSku("LIVE-1").SetName("Live product").SetSlug("live-product").
		SetPrice(1000).SetCurrency("USD").SetCategory(cat).SaveX(ctx)
	product := relay.Encode(p.ID)

	var subs []*coderws.Conn
	for range 2 {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, _, err := coderws.Dial(dctx, "ws://"+front+"/graphql", &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		require.NoError(t, err)
		defer c.CloseNow()
		require.NoError(t, c.Write(dctx, coderws.MessageText, []byte(`{"type":"connection_init"}`)))
		_, ack, err := c.Read(dctx)
		require.NoError(t, err)
		require.Contains(t, string(ack), "connection_ack")
		require.NoError(t, c.Write(dctx, coderws.MessageText, []byte(`{"id":"1","type":"subscribe","payload":{"query":"subscription($p: ID!) { reviewEvents(productID: $p) { kind review { title } } }","variables":{"p":"`+product+`"}}}`)))
		cancel()
		subs = append(subs, c)
	}
	// least_conn sends the second socket to the other process.
	for _, addr := range []string{a, b} {
		eventually(t, "each process holds one subscription", func() bool {
			res, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				return false
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return strings.Contains(string(body), "vitrine_live_subscriptions 1")
		})
	}

	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	req, err := http.NewRequestWithContext(sctx, http.MethodPost, "http://"+front+"/graphql",
		strings.NewReader(`{"query":"subscription($p: ID!) { reviewEvents(productID: $p) { kind review { title } } }","variables":{"p":"`+product+`"}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	stream, err := http.DefaultClient.Do(req) // asks for gzip, as browsers do
	require.NoError(t, err)
	defer stream.Body.Close()
	require.Equal(t, http.StatusOK, stream.StatusCode)
	require.Equal(t, "text/event-stream", stream.Header.Get("Content-Type"))
	require.Empty(t, stream.Header.Get("Content-Encoding"))
	eventually(t, "the stream's subscription runs", func() bool {
		n := 0
		for _, addr := range []string{a, b} {
			res, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				return false
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.Contains(string(body), "vitrine_live_subscriptions 2") {
				n++
			}
		}
		return n == 1
	})

	var reg struct{ Register struct{ Token string } }
	postGraphQL(t, "http://"+front, "", `mutation { register(input: {email: "live@example.com", password: "a-long-password-1", name: "Live"}) { token } }`, nil, &reg)
	var added struct{ AddReview struct{ ID string } }
	postGraphQL(t, "http://"+front, "Bearer "+reg.Register.Token, `mutation($p: ID!) { addReview(input: {productID: $p, title: "Through nginx", body: "Both see it."}) { id } }`, map[string]any{"p": product}, &added)
	for i, c := range subs {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		for {
			_, msg, err := c.Read(rctx)
			require.NoError(t, err, "subscriber %d", i)
			if strings.Contains(string(msg), `"ping"`) {
				continue
			}
			var m struct {
				ID, Type string
				Payload  struct{ Data json.RawMessage }
			}
			require.NoError(t, json.Unmarshal(msg, &m))
			require.Equal(t, "next", m.Type, "%s", msg)
			require.JSONEq(t, `{"reviewEvents":{"kind":"CREATED","review":{"title":"Through nginx"}}}`, string(m.Payload.Data))
			break
		}
		cancel()
	}
	// The stream is still open: the event arrived by itself, not with the end of the response.
	events := bufio.NewScanner(stream.Body)
	for events.Scan() {
		if data, ok := strings.CutPrefix(events.Text(), "data: "); ok {
			var m struct{ Data json.RawMessage }
			require.NoError(t, json.Unmarshal([]byte(data), &m))
			require.JSONEq(t, `{"reviewEvents":{"kind":"CREATED","review":{"title":"Through nginx"}}}`, string(m.Data))
			return
		}
	}
	t.Fatalf("the stream ended without the event: %v", events.Err())
}
