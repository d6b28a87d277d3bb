package config

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEdgeDefaults(t *testing.T) {
	c, err := load(nil)
	require.NoError(t, err)
	require.Equal(t, Edge{RedisPrefix: "vitrine:", CacheMaxAge: 30 * time.Second, RateLimitQueries: 600, RateLimitMutations: 60}, c.Edge)
}

func TestEdgeSettings(t *testing.T) {
	c, err := load(map[string]string{
		"VITRINE_REDIS_URL":            "redis://:secret@cache:6379/2",
		"VITRINE_REDIS_PREFIX":         "staging:",
		"VITRINE_TRUSTED_DOCUMENTS":    "./documents",
		"VITRINE_CACHE_MAX_AGE":        "0s",
		"VITRINE_RATE_LIMIT_QUERIES":   "0",
		"VITRINE_RATE_LIMIT_MUTATIONS": "10",
		"VITRINE_TRUSTED_PROXIES":      "10.0.0.0/8, 192.168.1.7 ,fd00::/8",
	})
	require.NoError(t, err)
	require.Equal(t, Edge{
		RedisURL:           "redis://:secret@cache:6379/2",
		RedisPrefix:        "staging:",
		TrustedDocuments:   "./documents",
		RateLimitMutations: 10,
		TrustedProxies: []netip.Prefix{
			netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("fd00::/8"),
		},
	}, c.Edge)
}

func TestEdgeMalformed(t *testing.T) {
	cases := []struct{ key, value, want string }{
		{"VITRINE_REDIS_URL", "localhost:6379", "VITRINE_REDIS_URL must look like redis://"},
		{"VITRINE_REDIS_URL", "http://:pw@cache:6379", "http://:xxxxx@cache:6379"},
		{"VITRINE_CACHE_MAX_AGE", "soon", "VITRINE_CACHE_MAX_AGE"},
		{"VITRINE_CACHE_MAX_AGE", "1500ms", "whole number of seconds"},
		{"VITRINE_RATE_LIMIT_QUERIES", "-1", "VITRINE_RATE_LIMIT_QUERIES"},
		{"VITRINE_RATE_LIMIT_MUTATIONS", "ten", "VITRINE_RATE_LIMIT_MUTATIONS"},
		{"VITRINE_TRUSTED_PROXIES", "10.0.0.0/33", `"10.0.0.0/33" is not a CIDR`},
		{"VITRINE_TRUSTED_PROXIES", "proxy.internal", `"proxy.internal" is not a CIDR`},
	}
	for _, c := range cases {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			_, err := load(map[string]string{c.key: c.value})
			require.ErrorContains(t, err, c.want)
		})
	}
}
