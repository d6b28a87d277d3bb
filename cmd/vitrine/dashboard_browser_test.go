package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromium finds the browser the dashboard tests drive: VITRINE_TEST_CHROMIUM, else Debian's
// chromium (installed by .ci/run). Without one the tests skip loudly, except under CI=true,
// where that is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VITRINE_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (CI=true): install Debian's chromium (apt-get install chromium, as .ci/run does) or set VITRINE_TEST_CHROMIUM")
	}
	t.Skip("SKIPPED: no Chromium found; apt-get install chromium (or set VITRINE_TEST_CHROMIUM) to run the dashboard's browser tests")
	return ""
}

// page is one headless Chromium tab that records what the tests assert on: every request it
// makes, and every console error, uncaught exception and browser log error (CSP violations,
// failed loads, integrity mismatches).
type page struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	problems []string
}

func newPage(t *testing.T) *page {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1800),
		// Without these Chromium phones home (updates, sync, field trials), which a closed
		// network refuses and which would count as requests leaving the origin.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	p := &page{ctx: ctx}
	// The first call starts the browser, tied to ctx (which has no deadline; each action
	// gets its own in run). chromedp enables the Runtime, Log and Network domains itself.
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		p.mu.Lock()
		defer p.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			p.requests = append(p.requests, e.Request.URL)
		case *network.EventWebSocketCreated:
			p.requests = append(p.requests, e.URL)
		case *runtime.EventConsoleAPICalled:
			switch e.Type {
			case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeWarning, runtime.ConsoleAPICalledTypeAssert:
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				p.problems = append(p.problems, "console."+string(e.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			p.problems = append(p.problems, "exception: "+msg)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				p.problems = append(p.problems, "log "+string(e.Entry.Source)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	}))
	return p
}

// do runs actions with a deadline of their own.
func (p *page) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, actions...))
}

// eval runs a JavaScript expression, awaiting it when it is a promise, and decodes its value.
func eval[T any](t *testing.T, p *page, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	require.NoError(t, err, js)
	return v
}

// generation is the count of views the page has finished loading (body[data-generation]).
func (p *page) generation(t *testing.T) int {
	t.Helper()
	return eval[int](t, p, `Number(document.body.dataset.generation || 0)`)
}

// waitView waits until the page has loaded a view after generation after.
func (p *page) waitView(t *testing.T, after int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.state === 'ready' && Number(document.body.dataset.generation || 0) > `+itoa(after),
		chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "the page did not finish loading a new view")
}

// act runs js (which changes a control) and waits for the view it causes.
func (p *page) act(t *testing.T, js string) {
	t.Helper()
	g := p.generation(t)
	eval[chromedp.Void](t, p, js)
	p.waitView(t, g)
}

// click clicks the element css selects and waits for the view it causes.
func (p *page) click(t *testing.T, css string) {
	t.Helper()
	g := p.generation(t)
	p.do(t, chromedp.Click(chromedp.CSS(css)))
	p.waitView(t, g)
}

func (p *page) screenshot(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	// CI keeps VITRINE_TEST_ARTIFACTS; elsewhere they live in the test's temp dir.
	dir := os.Getenv("VITRINE_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "-")+"-"+name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
	return path
}

// check asserts what must hold on every page: no console error, exception or log error, and
// no request or WebSocket to anywhere but origin (blob: URLs are the CSV downloads).
func (p *page) check(t *testing.T, origin string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Empty(t, p.problems, "the page logged errors")
	require.NotEmpty(t, p.requests)
	for _, u := range p.requests {
		if strings.HasPrefix(u, "blob:"+origin+"/") {
			continue
		}
		// The live socket goes to the same host and port, as ws:// (wss:// under https://).
		if rest, ok := strings.CutPrefix(u, "ws"); ok {
			u = "http" + rest
		}
		require.True(t, strings.HasPrefix(u, origin+"/"), "a request left the origin: %s", u)
	}
}

// call sends one protocol command to the tab.
func call[P, R any](t *testing.T, p *page, cmd cdp.Command[P, R], params P) {
	t.Helper()
	_, err := chromedp.Call(p.ctx, cmd, params)
	require.NoError(t, err, cmd.Method)
}

// callBrowser sends one protocol command to the browser.
func callBrowser[P, R any](t *testing.T, p *page, cmd cdp.Command[P, R], params P) {
	t.Helper()
	_, err := chromedp.CallBrowser(p.ctx, cmd, params)
	require.NoError(t, err, cmd.Method)
}

// grantClipboard lets the page write the clipboard and the test read it.
func (p *page) grantClipboard(t *testing.T, origin string) {
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		callBrowser(t, p, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, Origin: origin,
		})
	}
}

func (p *page) downloadsTo(t *testing.T, dir string) {
	callBrowser(t, p, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
}

func (p *page) phone(t *testing.T) {
	call(t, p, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true})
}

func (p *page) timeZone(t *testing.T, tz string) {
	call(t, p, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tz})
}
