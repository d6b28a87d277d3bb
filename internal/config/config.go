// Package config loads Vitrine's settings from environment variables, overridden by flags.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vitrinehq/vitrine/internal/limits"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// MinJWTSecretBytes is the shortest signing secret production mode accepts.
const MinJWTSecretBytes = 32

// Config is every setting the binary reads. The README's configuration table documents each.
type Config struct {
	Addr            string
	DatabaseURL     string
	DataDir         string
	Env             string
	LogLevel        slog.Level
	CORSOrigins     []string
	DBMaxOpenConns  int
	DBMaxIdleConns  int
	DBConnLifetime  time.Duration
	ShutdownTimeout time.Duration
	// JWTSecret signs tokens (HS256). Empty in development means "generate one per process".
	JWTSecret   string
	JWTTTL      time.Duration
	JWTIssuer   string
	JWTAudience string
	// AnalyticsCacheTTL keeps identical analytics answers this long (0 turns the cache off).
	AnalyticsCacheTTL time.Duration
	// PprofAddr, when set, serves net/http/pprof on a separate listener for profiling.
	PprofAddr string
	// Limits bound each GraphQL request (internal/limits documents the defaults).
	Limits limits.Limits
	// Introspection and Suggestions default to on in development and off in production.
	Introspection bool
	Suggestions   bool
	// ReplicaURLs are Postgres read replicas of DatabaseURL; reads outside transactions go there.
	ReplicaURLs []string
	// ReplicaMaxLag ejects a replica from the read rotation while it is further behind.
	ReplicaMaxLag time.Duration
	// ReplicaCheckInterval is how often replicas are probed for health and lag.
	ReplicaCheckInterval time.Duration
	// ShutdownDrain is how long /readyz answers 503 before the listener stops, so a load
	// balancer stops sending new requests first.
	ShutdownDrain time.Duration
	// AutoMigrate applies pending schema migrations when serve starts; without it, serve refuses
	// an outdated schema. Defaults to on in development and off in production.
	AutoMigrate bool
	// Edge holds the guard rails at the HTTP edge: persisted documents, caching, rate limits,
	// and the Redis that Vitrine processes share (also for read-your-writes markers).
	Edge Edge
	// Observability configures metrics, tracing and the slow-operation log (observability.go).
	Observability Observability
}

// Edge configures persisted queries, HTTP caching and rate limiting (see edge.go).
type Edge struct {
	// RedisURL, when set, shares APQ documents, rate-limit buckets and read-your-writes markers
	// between replicas.
	RedisURL string
	// RedisPrefix starts every key Vitrine writes, so environments can share one Redis.
	RedisPrefix string
	// TrustedDocuments is a .graphql file or a directory of them; when set, only those run.
	TrustedDocuments string
	// CacheMaxAge is the max-age of public GET responses.
	CacheMaxAge time.Duration
	// RateLimitQueries is requests per minute per client IP (0 disables).
	RateLimitQueries int
	// RateLimitMutations is mutations per minute per user, or per IP when anonymous (0 disables).
	RateLimitMutations int
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// Production reports whether production mode is on.
func (c Config) Production() bool { return c.Env == Production }

// Load reads the environment through getenv, then lets flags in args override it. Commands
// with flags of their own define them on fs first. It returns the remaining arguments.
func Load(fs *flag.FlagSet, getenv func(string) string, args []string) (Config, []string, error) {
	e := &envReader{getenv: getenv}
	env := e.str
	var c Config
	var level, origins, replicas string
	fs.StringVar(&c.Addr, "addr", env("VITRINE_ADDR", ":8080"), "listen address (VITRINE_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "Postgres URL; empty uses the embedded store (DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", env("VITRINE_DATA_DIR", "./data"), "directory of the embedded store (VITRINE_DATA_DIR)")
	fs.StringVar(&c.Env, "env", env("VITRINE_ENV", Development), "development or production (VITRINE_ENV)")
	fs.StringVar(&level, "log-level", env("VITRINE_LOG_LEVEL", "info"), "debug, info, warn or error (VITRINE_LOG_LEVEL)")
	fs.StringVar(&origins, "cors-origins", env("VITRINE_CORS_ORIGINS", ""), "comma-separated allowed CORS origins; * for any (VITRINE_CORS_ORIGINS)")
	fs.IntVar(&c.DBMaxOpenConns, "db-max-open-conns", e.int("VITRINE_DB_MAX_OPEN_CONNS", 20), "connection pool size (VITRINE_DB_MAX_OPEN_CONNS)")
	fs.IntVar(&c.DBMaxIdleConns, "db-max-idle-conns", e.int("VITRINE_DB_MAX_IDLE_CONNS", 20), "idle connections kept (VITRINE_DB_MAX_IDLE_CONNS)")
	fs.DurationVar(&c.DBConnLifetime, "db-conn-max-lifetime", e.duration("VITRINE_DB_CONN_MAX_LIFETIME", 30*time.Minute), "recycle connections after (VITRINE_DB_CONN_MAX_LIFETIME)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", e.duration("VITRINE_SHUTDOWN_TIMEOUT", 20*time.Second), "graceful shutdown deadline (VITRINE_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", env("VITRINE_JWT_SECRET", ""), "HS256 signing secret, at least 32 bytes; required in production (VITRINE_JWT_SECRET)")
	fs.DurationVar(&c.JWTTTL, "jwt-ttl", e.duration("VITRINE_JWT_TTL", time.Hour), "token lifetime (VITRINE_JWT_TTL)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", env("VITRINE_JWT_ISSUER", "vitrine"), "token iss claim, checked (VITRINE_JWT_ISSUER)")
	fs.StringVar(&c.JWTAudience, "jwt-audience", env("VITRINE_JWT_AUDIENCE", "vitrine"), "token aud claim, checked (VITRINE_JWT_AUDIENCE)")
	fs.DurationVar(&c.AnalyticsCacheTTL, "analytics-cache-ttl", e.duration("VITRINE_ANALYTICS_CACHE_TTL", 5*time.Second), "serve identical analytics queries from memory this long; 0 disables (VITRINE_ANALYTICS_CACHE_TTL)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", env("VITRINE_PPROF_ADDR", ""), "serve /debug/pprof on this separate address, e.g. 127.0.0.1:6060; empty disables (VITRINE_PPROF_ADDR)")
	c.Limits = limitFlags(fs, e)
	var introspection, suggestions, autoMigrate string
	fs.StringVar(&autoMigrate, "auto-migrate", env("VITRINE_AUTO_MIGRATE", ""), "serve applies pending schema migrations at start: true or false; default on in development, off in production, where serve refuses an outdated schema (VITRINE_AUTO_MIGRATE)")
	fs.StringVar(&introspection, "introspection", env("VITRINE_INTROSPECTION", ""), "serve schema introspection: true or false; default on in development, off in production (VITRINE_INTROSPECTION)")
	fs.StringVar(&suggestions, "suggestions", env("VITRINE_SUGGESTIONS", ""), `"Did you mean" hints in validation errors: true or false; default on in development, off in production (VITRINE_SUGGESTIONS)`)
	proxies := c.Edge.flags(fs, e)
	metricsPublic := c.Observability.flags(fs, e)
	fs.StringVar(&replicas, "database-replica-urls", env("DATABASE_REPLICA_URLS", ""), "comma-separated Postgres read replicas of DATABASE_URL (DATABASE_REPLICA_URLS)")
	fs.DurationVar(&c.ReplicaMaxLag, "replica-max-lag", e.duration("VITRINE_REPLICA_MAX_LAG", 5*time.Second), "take a replica out of the read rotation while it lags more (VITRINE_REPLICA_MAX_LAG)")
	fs.DurationVar(&c.ReplicaCheckInterval, "replica-check-interval", e.duration("VITRINE_REPLICA_CHECK_INTERVAL", time.Second), "how often replicas are probed (VITRINE_REPLICA_CHECK_INTERVAL)")
	// -1 stands for "not set": the default depends on the environment, known after parsing.
	c.ShutdownDrain = e.duration("VITRINE_SHUTDOWN_DRAIN", -1)
	fs.Func("shutdown-drain", "on SIGTERM, answer /readyz with 503 this long before closing the listener; default 5s in production, 0 in development (VITRINE_SHUTDOWN_DRAIN)", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration such as 5s", v)
		}
		c.ShutdownDrain = d
		return nil
	})
	if err := errors.Join(e.errs...); err != nil {
		return c, nil, err
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	if c.Env != Development && c.Env != Production {
		return c, nil, fmt.Errorf("VITRINE_ENV must be %q or %q, got %q", Development, Production, c.Env)
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return c, nil, fmt.Errorf("VITRINE_LOG_LEVEL: %w", err)
	}
	if c.JWTTTL <= 0 {
		return c, nil, fmt.Errorf("VITRINE_JWT_TTL must be positive, got %s", c.JWTTTL)
	}
	if c.Production() && len(c.JWTSecret) < MinJWTSecretBytes {
		return c, nil, fmt.Errorf("production mode needs VITRINE_JWT_SECRET of at least %d bytes (e.g. openssl rand -base64 48)", MinJWTSecretBytes)
	}
	// Both reveal the schema to anyone who asks; production keeps it to those who have it.
	var errIntro, errSugg, errMigrate error
	c.Introspection, errIntro = boolOr("VITRINE_INTROSPECTION", introspection, !c.Production())
	c.Suggestions, errSugg = boolOr("VITRINE_SUGGESTIONS", suggestions, !c.Production())
	// A production schema changes when an operator says so (vitrine migrate), not as a side
	// effect of a replica starting; a developer's database just follows the code.
	c.AutoMigrate, errMigrate = boolOr("VITRINE_AUTO_MIGRATE", autoMigrate, !c.Production())
	errObs := c.Observability.validate(c.Production(), *metricsPublic, getenv)
	if err := errors.Join(errIntro, errSugg, errMigrate, c.Edge.validate(*proxies), errObs); err != nil {
		return c, nil, err
	}
	c.ReplicaURLs = splitList(replicas)
	if len(c.ReplicaURLs) > 0 && c.DatabaseURL == "" {
		return c, nil, errors.New("DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are read copies of a Postgres primary")
	}
	if c.ReplicaCheckInterval <= 0 {
		return c, nil, fmt.Errorf("VITRINE_REPLICA_CHECK_INTERVAL must be positive, got %s", c.ReplicaCheckInterval)
	}
	if c.ShutdownDrain < 0 {
		// Unset: a load balancer needs a few health-check periods to notice; a developer's
		// Ctrl-C should not wait.
		c.ShutdownDrain = 0
		if c.Production() {
			c.ShutdownDrain = 5 * time.Second
		}
	}
	c.CORSOrigins = splitList(origins)
	if len(c.CORSOrigins) == 0 && !c.Production() {
		// Frontends on another dev-server port can call a development instance out of the box;
		// no credentials are involved (tokens travel in the Authorization header).
		c.CORSOrigins = []string{"*"}
	}
	return c, fs.Args(), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// envReader reads typed environment variables and remembers malformed ones, so a typo in a
// deployment fails at start instead of silently running with a default.
type envReader struct {
	getenv func(string) string
	errs   []error
}

func (e *envReader) str(key, def string) string {
	if v := strings.TrimSpace(e.getenv(key)); v != "" {
		return v
	}
	return def
}

func (e *envReader) int(key string, def int) int {
	v := e.str(key, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a non-negative integer", key, v))
	}
	return n
}

// boolOr parses a boolean setting, def when it is empty.
func boolOr(key, v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("%s: %q is not a boolean such as true or false", key, v)
	}
	return b, nil
}

func (e *envReader) duration(key string, def time.Duration) time.Duration {
	v := e.str(key, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a duration such as 30s or 5m", key, v))
	}
	return d
}
