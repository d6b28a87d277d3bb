package config

import (
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Defaults of the edge guard rails, documented in the README.
const (
	DefaultCacheMaxAge        = 30 * time.Second
	DefaultRateLimitQueries   = 600
	DefaultRateLimitMutations = 60
)

// flags defines the edge settings on fs and returns the raw proxy list, parsed by validate.
func (c *Edge) flags(fs *flag.FlagSet, e *envReader) *string {
	proxies := new(string)
	secretVar(fs, &c.RedisURL, "redis-url", e.str("VITRINE_REDIS_URL", ""), redactURLs, "Redis `URL` (redis://[:password@]host:6379/db or rediss://) for persisted queries, rate-limit buckets and read-your-writes markers shared by every replica; empty keeps them in the process; the server refuses to start if Redis does not answer (VITRINE_REDIS_URL)")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", e.str("VITRINE_REDIS_PREFIX", "vitrine:"), "prefix of every Redis key Vitrine writes, so environments can share one Redis (VITRINE_REDIS_PREFIX)")
	fs.StringVar(&c.TrustedDocuments, "trusted-documents", e.str("VITRINE_TRUSTED_DOCUMENTS", ""), "a .graphql file or a directory of them (searched recursively); when set, only these documents run (VITRINE_TRUSTED_DOCUMENTS)")
	fs.DurationVar(&c.CacheMaxAge, "cache-max-age", e.duration("VITRINE_CACHE_MAX_AGE", DefaultCacheMaxAge), "max-age of public GET responses, in whole seconds; 0 makes caches revalidate every time (VITRINE_CACHE_MAX_AGE)")
	fs.IntVar(&c.RateLimitQueries, "rate-limit-queries", e.int("VITRINE_RATE_LIMIT_QUERIES", DefaultRateLimitQueries), "GraphQL requests per minute per client IP (a token bucket of that size); 0 disables (VITRINE_RATE_LIMIT_QUERIES)")
	fs.IntVar(&c.RateLimitMutations, "rate-limit-mutations", e.int("VITRINE_RATE_LIMIT_MUTATIONS", DefaultRateLimitMutations), "mutations per minute per user (per client IP when anonymous, e.g. login); 0 disables (VITRINE_RATE_LIMIT_MUTATIONS)")
	fs.StringVar(proxies, "trusted-proxies", e.str("VITRINE_TRUSTED_PROXIES", ""), "comma-separated CIDRs or IPs of the load balancers whose X-Forwarded-For, X-Request-ID and traceparent are believed (VITRINE_TRUSTED_PROXIES)")
	return proxies
}

// validate checks the values flags cannot type-check, so a typo fails at start.
func (c *Edge) validate(proxies string) error {
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			return fmt.Errorf("VITRINE_REDIS_URL must look like redis://host:6379/0 or rediss://…, got %q", redact(c.RedisURL))
		}
	}
	if c.CacheMaxAge < 0 || c.CacheMaxAge%time.Second != 0 {
		return fmt.Errorf("VITRINE_CACHE_MAX_AGE must be a whole number of seconds such as 30s or 5m, got %s", c.CacheMaxAge)
	}
	if c.RateLimitQueries < 0 || c.RateLimitMutations < 0 {
		return fmt.Errorf("VITRINE_RATE_LIMIT_QUERIES and VITRINE_RATE_LIMIT_MUTATIONS must be 0 (off) or positive")
	}
	c.TrustedProxies = nil
	for _, p := range splitList(proxies) {
		prefix, err := parsePrefix(p)
		if err != nil {
			return fmt.Errorf("VITRINE_TRUSTED_PROXIES: %q is not a CIDR (10.0.0.0/8) or an IP address", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	return nil
}

// parsePrefix accepts a CIDR or a single address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// redact hides a password in a URL so that error messages can quote it.
func redact(raw string) string { return SafeURL(raw) }
