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
	"github.com/vitrinehq/vitrine/internal/throttle"
)

// edge is the guard rails wired from the configuration.
type edge struct {
	documents graphql.HandlerExtension
	cache     *httpcache.Policy
	limits    *ratelimit.Guard
	throttle  *throttle.Throttle
	close     func() error
}

// newEdge opens Redis when configured (failing at start if it does not answer) and builds
// persisted documents, the HTTP cache policy and the rate limits.
func newEdge(ctx context.Context, cfg config.Edge, th config.Throttle, lim limits.Limits, log *slog.Logger) (*edge, error) {
	e := &edge{cache: &httpcache.Policy{MaxAge: cfg.CacheMaxAge}, close: func() error { return nil }}
	var rdb *redis.Client
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("VITRINE_REDIS_URL: %w", err)
		}
		rdb = redis.NewClient(opts)
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := rdb.Ping(pingCtx).Err(); err != nil {
			_ = rdb.Close()
			return nil, fmt.Errorf("VITRINE_REDIS_URL: redis does not answer: %w", err)
		}
		e.close = rdb.Close
	}

	switch {
	case cfg.TrustedDocuments != "":
		trusted, err := persisted.Load(cfg.TrustedDocuments, graph.NewExecutableSchema(graph.Config{}).Schema(), lim.Rules(false))
		if err != nil {
			_ = e.close()
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
			return ratelimit.NewShared(rdb, cfg.RedisPrefix+name+":", perMinute)
		}
		return ratelimit.NewLocal(perMinute)
	}
	// With both limits off there is no guard at all: nothing to resolve or wrap per request.
	if requests, mutations := buckets("requests", cfg.RateLimitQueries), buckets("mutations", cfg.RateLimitMutations); requests != nil || mutations != nil {
		e.limits = &ratelimit.Guard{Requests: requests, Mutations: mutations, Proxies: cfg.TrustedProxies, Log: log}
	}
	e.throttle = newThrottle(th, rdb, cfg, log)
	return e, nil
}

// newThrottle builds the cost throttle: buckets in Redis like the rate limits' when Redis is
// configured (a client's points then hold across replicas), the gate always per process (it
// protects this process's CPU and connections). Nil when both are off.
func newThrottle(th config.Throttle, rdb *redis.Client, cfg config.Edge, log *slog.Logger) *throttle.Throttle {
	t := &throttle.Throttle{Proxies: cfg.TrustedProxies, Log: log}
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
