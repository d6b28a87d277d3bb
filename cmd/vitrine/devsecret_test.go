package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/gqltest"
)

// serveOnce runs `vitrine serve` until the returned stop is called, which waits for a clean exit.
func serveOnce(t *testing.T, env map[string]string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, logs, func(a net.Addr) { addrc <- a })
	}()
	select {
	case a := <-addrc:
		stopped := false
		stop = func() {
			if !stopped {
				stopped = true
				cancel()
				require.NoError(t, <-done)
			}
		}
		t.Cleanup(stop)
		return "http://" + a.String(), stop
	case err := <-done:
		t.Fatalf("serve exited early: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start\n%s", logs)
	}
	cancel()
	return "", nil
}

// TestDevelopmentTokensSurviveRestart: without VITRINE_JWT_SECRET the development server signs
// with a secret kept in the data directory (readable by its owner only), so a token from
// before a restart still works after it; a token the server cannot verify (another data
// directory's secret) is refused with a message that says to log in again.
func TestDevelopmentTokensSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"VITRINE_DATA_DIR": dir}
	base, stop := serveOnce(t, env)
	var login struct{ Login struct{ Token string } }
	(&gqltest.Client{URL: base + "/graphql"}).MustData(t, &login,
		`mutation { login(email: "shopper@demo.vitrine.dev", password: "demo-shopper-password") { token } }`, nil)
	stop()

	info, err := os.Stat(filepath.Join(dir, devSecretFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	base, _ = serveOnce(t, env)
	bearer := http.Header{"Authorization": {"Bearer " + login.Login.Token}}
	var me struct{ Me struct{ DisplayName string } }
	(&gqltest.Client{URL: base + "/graphql", Header: bearer}).MustData(t, &me, `{ me { displayName } }`, nil)
	require.NotEmpty(t, me.Me.DisplayName, "the token issued before the restart still signs the user in")

	other, _ := serveOnce(t, map[string]string{"VITRINE_DATA_DIR": t.TempDir()})
	res := (&gqltest.Client{URL: other + "/graphql", Header: bearer}).Do(t, `{ me { displayName } }`, nil)
	require.Len(t, res.Errors, 1)
	require.Equal(t, "UNAUTHENTICATED", res.Errors[0].Code())
	require.Contains(t, res.Errors[0].Message, "log in again")
}

func TestDevSecretConcurrentStarts(t *testing.T) {
	dir := t.TempDir()
	secrets := make(chan string, 8)
	for range 8 {
		go func() {
			s, _, err := devSecret(dir)
			require.NoError(t, err)
			secrets <- string(s)
		}()
	}
	first := <-secrets
	require.Len(t, first, 64)
	for range 7 {
		require.Equal(t, first, <-secrets, "processes starting together agree on one secret")
	}
}
