package proxy

import (
	"net/http"
	"net/netip"
	"strings"
)

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
