package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/proxy"
)

func TestRequestID(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, peer, sent string
		kept             bool
	}{
		{"TrustedProxyKept", "10.1.2.3:5000", "f3b2a0c4d1e5", true},
		{"TrustedIPv6ProxyKept", "[::1]:5000", "7c9e6679-7425-40de-944b-e07fc1f90ae7", true},
		{"TrustedIPv4MappedKept", "[::ffff:10.0.0.1]:5000", "abc", true},
		{"ClientReplaced", "203.0.113.9:5000", "chosen-by-client", false},
		{"MalformedFromProxyReplaced", "10.1.2.3:5000", "id with spaces\n", false},
		{"TooLongFromProxyReplaced", "10.1.2.3:5000", strings.Repeat("a", proxy.MaxRequestIDLength+1), false},
		{"NoneSentGenerated", "10.1.2.3:5000", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := proxy.RequestIDs(proxies)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				seen = middleware.GetReqID(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = tt.peer
			if tt.sent != "" {
				req.Header.Set(proxy.RequestIDHeader, tt.sent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.NotEmpty(t, seen)
			require.Equal(t, seen, rec.Header().Get(proxy.RequestIDHeader), "the response echoes the ID the logs use")
			if tt.kept {
				require.Equal(t, tt.sent, seen)
			} else {
				require.NotEqual(t, tt.sent, seen)
			}
		})
	}
}
