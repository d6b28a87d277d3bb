package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/redis/go-redis/v9"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/httpcache"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
	"github.com/vitrinehq/vitrine/internal/redisconn"
	"github.com/vitrinehq/vitrine/internal/throttle"
)

// openRedis opens the process's one Redis client (internal/redisconn), or returns nil when
// none is configured; it fails at start if Redis does not answer.
func openRedis(ctx context.Context, cfg config.Edge, log *slog.Logger) (*redis.Client, error) {
	if cfg.RedisURL == "" {
		return nil, nil
	}
	redis.SetLogger(redisconn.Logger(log))
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rdb, err := redisconn.Open(ctx, cfg.RedisURL, redisconn.Options{Log: log})
	if err != nil {
		return nil, fmt.Errorf("VITRINE_REDIS_URL: %w", err)
	}
	return rdb, nil
}

// edge is the guard rails wired from the configuration.
type edge struct {
	documents graphql.HandlerExtension
	cache     *httpcache.Policy
	limits    *ratelimit.Guard
	throttle  *throttle.Throttle
}

// newEdge builds persisted documents, the HTTP cache policy, the rate limits and the cost
// throttle, shared
// through rdb when Redis is configured (nil otherwise).
func newEdge(cfg config.Edge, th config.Throttle, lim limits.Limits, log *slog.Logger, rdb *redis.Client) (*edge, error) {
	e := &edge{cache: &httpcache.Policy{MaxAge: cfg.CacheMaxAge}}
	switch {
	case cfg.TrustedDocuments != "":
		trusted, err := persisted.Load(cfg.TrustedDocuments, graph.NewExecutableSchema(graph.Config{}).Schema(), lim.Rules(false))
		if err != nil {
			return nil, fmt.Errorf("VITRINE_TRUSTED_DOCUMENTS: %w", err)
		}
		log.Info("trusted documents only", "documents", trusted.Len(), "path", cfg.TrustedDocuments)
		e.documents = trusted
	case rdb != nil:
		e.documents = extension.AutomaticPersistedQuery{Cache: persisted.NewShared(rdb, cfg.RedisPrefix+"apq:", log)}
	default:
		e.documents = extension.AutomaticPersistedQuery{Cache: persisted.NewLocal()}
	}

	buckets := func(name string, perMinute int) ratelimit.Buckets {
		switch {
		case perMinute == 0:
			return nil
		case rdb != nil:
			return ratelimit.Fallback{
				Shared: ratelimit.NewShared(rdb, cfg.RedisPrefix+name+":", perMinute),
				Local:  ratelimit.NewLocal(perMinute),
			}
		}
		return ratelimit.NewLocal(perMinute)
	}
	// With both limits off there is no guard at all: nothing to resolve or wrap per request.
	if requests, mutations := buckets("requests", cfg.RateLimitQueries), buckets("mutations", cfg.RateLimitMutations); requests != nil || mutations != nil {
		e.limits = &ratelimit.Guard{Requests: requests, Mutations: mutations, Log: log}
	}
	e.throttle = newThrottle(th, rdb, cfg, log)
	return e, nil
}

// newThrottle builds the cost throttle: buckets in Redis like the rate limits' when Redis is
// configured (a client's points then hold across replicas), the gate always per process (it
// protects this process's CPU and connections). Nil when both are off.
func newThrottle(th config.Throttle, rdb *redis.Client, cfg config.Edge, log *slog.Logger) *throttle.Throttle {
	t := &throttle.Throttle{Log: log}
	switch {
	case th.Bucket == 0:
	case rdb != nil:
		t.Buckets = throttle.NewShared(rdb, cfg.RedisPrefix+"cost:", th.Bucket, th.RestoreRate)
	default:
		t.Buckets = throttle.NewLocal(th.Bucket, th.RestoreRate, nil)
	}
	if th.Concurrency > 0 {
		t.Gate = throttle.NewGate(th.Concurrency, th.Expensive)
	}
	if t.Buckets == nil && t.Gate == nil {
		return nil
	}
	return t
}
