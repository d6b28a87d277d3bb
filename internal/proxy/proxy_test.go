package proxy

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTrustedPeer(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	tests := []struct {
		name, remote string
		want         bool
	}{
		{"IPv4Proxy", "10.1.2.3:4000", true},
		{"IPv4MappedProxy", "[::ffff:10.1.2.3]:4000", true},
		{"IPv6Proxy", "[2001:db8::1]:4000", true},
		{"Stranger", "203.0.113.9:4000", false},
		{"NoPort", "10.1.2.3", true},
		{"Garbage", "not-an-address", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			require.Equal(t, tt.want, TrustedPeer(r, proxies))
		})
	}
	r := httptest.NewRequest("GET", "/", nil)
	require.False(t, TrustedPeer(r, nil), "no proxies: nobody is trusted")
}
