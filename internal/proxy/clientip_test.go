package proxy

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"NoProxy", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"UntrustedPeerForwardedForIgnored", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"TrustedPeerWithoutHeader", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"TrustedPeer", "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"ForgedLeftmostIgnored", "10.1.2.3:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"ChainOfTrustedProxies", "10.1.2.3:4000", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"SeveralHeaders", "10.1.2.3:4000", []string{"1.2.3.4", "198.51.100.1"}, "198.51.100.1"},
		{"AllTrusted", "10.1.2.3:4000", []string{"10.4.4.4"}, "10.4.4.4"},
		{"MalformedHopStopsAtLastTrusted", "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"IPv6", "[2001:db8::1]:4000", []string{"2001:db9::7"}, "2001:db9::7"},
		{"IPv4MappedPeer", "[::ffff:10.1.2.3]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			require.Equal(t, c.want, ClientIP(r, proxies).String())
		})
	}
}
