// Package proxy tells the operator's load balancers from everyone else, and is where the
// headers only they are believed about are read: X-Forwarded-For (ClientIP, for the rate limits
// and the cost throttle) and X-Request-ID (RequestIDs); tracing asks TrustedPeer before it
// continues a traceparent. One decision, made the same way everywhere.
package proxy

import (
	"net"
	"net/http"
	"net/netip"
)

// Peer returns the address of the request's TCP peer; ok is false when RemoteAddr is not one.
func Peer(r *http.Request) (addr netip.Addr, ok bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err = netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}

// Trusted reports whether addr is one of the proxies.
func Trusted(addr netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// TrustedPeer reports whether the request's TCP peer is one of the proxies.
func TrustedPeer(r *http.Request, proxies []netip.Prefix) bool {
	addr, ok := Peer(r)
	return ok && Trusted(addr, proxies)
}
