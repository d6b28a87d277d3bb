package proxy

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
)

type clientIPKey struct{}

// ClientIPs resolves each request's client address once (ClientIP) for the layers that key
// by it, which read it with ClientIPFrom.
func ClientIPs(proxies []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ClientIP(r, proxies))))
		})
	}
}

// ClientIPFrom returns the address ClientIPs resolved, or the unspecified address outside it.
func ClientIPFrom(ctx context.Context) netip.Addr {
	if ip, ok := ctx.Value(clientIPKey{}).(netip.Addr); ok {
		return ip
	}
	return netip.IPv4Unspecified()
}

// ClientIP returns the address a request comes from. X-Forwarded-For is read only when the
// peer is a trusted proxy, from the right: the first address that is not itself a trusted
// proxy is the client (anything left of it could be forged by the client).
func ClientIP(r *http.Request, proxies []netip.Prefix) netip.Addr {
	ip, ok := Peer(r)
	if !ok {
		return netip.IPv4Unspecified()
	}
	if !Trusted(ip, proxies) {
		return ip
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return ip // a malformed hop: stop at the last address we could trust
		}
		ip = hop.Unmap()
		if !Trusted(ip, proxies) {
			return ip
		}
	}
	return ip
}
