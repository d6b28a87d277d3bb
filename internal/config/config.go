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
	// Dashboard serves the ratings dashboard at /dashboard. It is on in both modes: the page
	// is static and runs only public queries any client may send.
	Dashboard bool
	// Federation serves the Apollo Federation 2 subgraph fields (_entities, _service).
	Federation bool
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
	// Throttle meters clients by the cost of their operations (throttle.go).
	Throttle Throttle
	// Live configures GraphQL subscriptions (live.go).
	Live Live
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

// Scope says which settings a command defines and checks: each command has the flags it reads
// and no others, so `vitrine migrate -h` lists the database settings and production's
// JWT-secret requirement applies to serve alone.
type Scope int

// Scopes.
const (
	// ScopeServe is every setting (vitrine serve).
	ScopeServe Scope = iota
	// ScopeStore is what opening the database needs (migrate, seed, user).
	ScopeStore
	// ScopeAddr is the listen address alone (healthcheck).
	ScopeAddr
)

// Load defines every setting on fs, lets flags in args override the environment read through
// getenv, and checks the result. It returns the remaining arguments.
func Load(fs *flag.FlagSet, getenv func(string) string, args []string) (Config, []string, error) {
	check := Define(fs, getenv, ScopeServe)
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	c, err := check()
	return c, fs.Args(), err
}

// Define defines the settings of scope on fs, their defaults read from the environment through
// getenv, and returns the function that checks them once fs has parsed the command line.
// Commands with flags of their own define them on fs too.
func Define(fs *flag.FlagSet, getenv func(string) string, scope Scope) func() (Config, error) {
	e := &envReader{getenv: getenv}
	env := e.str
	var c Config
	if scope != ScopeStore {
		fs.StringVar(&c.Addr, "addr", env("VITRINE_ADDR", ":8080"), "listen address (VITRINE_ADDR)")
	}
	if scope == ScopeAddr {
		return func() (Config, error) { return c, errors.Join(e.errs...) }
	}
	checkStore := c.storeFlags(fs, e)
	if scope == ScopeStore {
		return func() (Config, error) {
			if err := errors.Join(e.errs...); err != nil {
				return c, err
			}
			return c, checkStore()
		}
	}
	var origins, replicas string
	fs.StringVar(&origins, "cors-origins", env("VITRINE_CORS_ORIGINS", ""), "comma-separated allowed CORS origins; * for any; default * in development, none in production (VITRINE_CORS_ORIGINS)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", e.duration("VITRINE_SHUTDOWN_TIMEOUT", 20*time.Second), "graceful shutdown deadline on SIGTERM/SIGINT: in-flight requests finish within it; past it the requests still running are logged and cut (VITRINE_SHUTDOWN_TIMEOUT)")
	secretVar(fs, &c.JWTSecret, "jwt-secret", env("VITRINE_JWT_SECRET", ""), hidden, "HS256 signing `secret`, at least 32 bytes; production refuses to start without one; default in development: a random secret kept in jwt-secret in the data directory, so tokens survive restarts (VITRINE_JWT_SECRET)")
	fs.DurationVar(&c.JWTTTL, "jwt-ttl", e.duration("VITRINE_JWT_TTL", time.Hour), "token lifetime (VITRINE_JWT_TTL)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", env("VITRINE_JWT_ISSUER", "vitrine"), "token iss claim, checked (VITRINE_JWT_ISSUER)")
	fs.StringVar(&c.JWTAudience, "jwt-audience", env("VITRINE_JWT_AUDIENCE", "vitrine"), "token aud claim, checked (VITRINE_JWT_AUDIENCE)")
	fs.DurationVar(&c.AnalyticsCacheTTL, "analytics-cache-ttl", e.duration("VITRINE_ANALYTICS_CACHE_TTL", 5*time.Second), "serve identical analytics queries from memory this long (this process's writes invalidate at once); 0 disables (VITRINE_ANALYTICS_CACHE_TTL)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", env("VITRINE_PPROF_ADDR", ""), "serve /debug/pprof on this separate address, e.g. 127.0.0.1:6060; empty disables it, and the allocation profile's sampling with it (VITRINE_PPROF_ADDR)")
	c.Limits = limitFlags(fs, e)
	var introspection, suggestions, federation string
	fs.StringVar(&introspection, "introspection", env("VITRINE_INTROSPECTION", ""), "answer schema introspection (__schema, __type): true or false; when off, introspection is refused as a validation error and the playground runs without schema; default on in development, off in production (VITRINE_INTROSPECTION)")
	fs.StringVar(&suggestions, "suggestions", env("VITRINE_SUGGESTIONS", ""), `"Did you mean" hints in validation errors: true or false; default on in development, off in production (VITRINE_SUGGESTIONS)`)
	var dashboard string
	fs.StringVar(&dashboard, "dashboard", env("VITRINE_DASHBOARD", ""), "serve the ratings dashboard at /dashboard: true or false; it runs only public GraphQL queries, and with VITRINE_TRUSTED_DOCUMENTS it is served only if its documents (internal/dashboard/queries) are trusted; default on (VITRINE_DASHBOARD)")
	fs.StringVar(&federation, "federation", env("VITRINE_FEDERATION", "false"), "serve as an Apollo Federation 2 subgraph behind a router: answer _entities, and _service where introspection is on; when off they are refused as a validation error (VITRINE_FEDERATION)")
	proxies := c.Edge.flags(fs, e)
	c.Throttle.flags(fs, e)
	c.Live.flags(fs, e)
	metricsPublic := c.Observability.flags(fs, e)
	secretVar(fs, &replicas, "database-replica-urls", env("DATABASE_REPLICA_URLS", ""), redactURLs, "comma-separated Postgres read replica `URLs` (streaming standbys) of DATABASE_URL; reads outside transactions go to healthy ones (DATABASE_REPLICA_URLS)")
	fs.DurationVar(&c.ReplicaMaxLag, "replica-max-lag", e.duration("VITRINE_REPLICA_MAX_LAG", 5*time.Second), "a replica further behind the primary (measured against its WAL position, so a stalled stream counts) leaves the read rotation until it catches up (VITRINE_REPLICA_MAX_LAG)")
	fs.DurationVar(&c.ReplicaCheckInterval, "replica-check-interval", e.duration("VITRINE_REPLICA_CHECK_INTERVAL", time.Second), "how often the primary's WAL position is read and replicas are probed for health and lag (VITRINE_REPLICA_CHECK_INTERVAL)")
	// -1 stands for "not set": the default depends on the environment, known after parsing.
	c.ShutdownDrain = e.duration("VITRINE_SHUTDOWN_DRAIN", -1)
	fs.Func("shutdown-drain", "on SIGTERM, /readyz answers 503 this long, while still serving, before the listener closes; default 5s in production, 0 in development (VITRINE_SHUTDOWN_DRAIN)", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration such as 5s", v)
		}
		c.ShutdownDrain = d
		return nil
	})
	return func() (Config, error) {
		if err := errors.Join(e.errs...); err != nil {
			return c, err
		}
		if err := checkStore(); err != nil {
			return c, err
		}
		if c.JWTTTL <= 0 {
			return c, fmt.Errorf("VITRINE_JWT_TTL must be positive, got %s", c.JWTTTL)
		}
		if c.Production() && len(c.JWTSecret) < MinJWTSecretBytes {
			return c, fmt.Errorf("production mode needs VITRINE_JWT_SECRET of at least %d bytes (e.g. openssl rand -base64 48)", MinJWTSecretBytes)
		}
		// Both reveal the schema to anyone who asks; production keeps it to those who have it.
		var errIntro, errSugg, errFed error
		c.Introspection, errIntro = boolOr("VITRINE_INTROSPECTION", introspection, !c.Production())
		c.Suggestions, errSugg = boolOr("VITRINE_SUGGESTIONS", suggestions, !c.Production())
		var errDash error
		c.Dashboard, errDash = boolOr("VITRINE_DASHBOARD", dashboard, true)
		c.Federation, errFed = boolOr("VITRINE_FEDERATION", federation, false)
		errObs := c.Observability.validate(c.Production(), *metricsPublic, getenv)
		if err := errors.Join(errIntro, errSugg, errDash, errFed, c.Edge.validate(*proxies), errObs, c.Throttle.validate(), c.Live.validate()); err != nil {
			return c, err
		}
		c.ReplicaURLs = splitList(replicas)
		if len(c.ReplicaURLs) > 0 && c.DatabaseURL == "" {
			return c, errors.New("DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are read copies of a Postgres primary")
		}
		for _, u := range c.ReplicaURLs {
			if err := checkPostgresURL("DATABASE_REPLICA_URLS", u); err != nil {
				return c, err
			}
		}
		if c.ReplicaCheckInterval <= 0 {
			return c, fmt.Errorf("VITRINE_REPLICA_CHECK_INTERVAL must be positive, got %s", c.ReplicaCheckInterval)
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
		return c, nil
	}
}

// storeFlags defines the settings every command that opens the database reads, and returns
// their check.
func (c *Config) storeFlags(fs *flag.FlagSet, e *envReader) func() error {
	var level, autoMigrate string
	secretVar(fs, &c.DatabaseURL, "database-url", e.str("DATABASE_URL", ""), redactURLs, "Postgres `URL` such as postgres://user:pass@host:5432/vitrine?sslmode=disable (the database must exist: createdb vitrine); empty uses the embedded store (DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", e.str("VITRINE_DATA_DIR", "./data"), "directory of the embedded SQLite store and of the development JWT secret (VITRINE_DATA_DIR)")
	fs.StringVar(&c.Env, "env", e.str("VITRINE_ENV", Development), "development or production (JSON logs, no demo data, introspection and suggestions off) (VITRINE_ENV)")
	fs.StringVar(&level, "log-level", e.str("VITRINE_LOG_LEVEL", "info"), "debug, info, warn or error (VITRINE_LOG_LEVEL)")
	fs.IntVar(&c.DBMaxOpenConns, "db-max-open-conns", e.int("VITRINE_DB_MAX_OPEN_CONNS", 20), "connection pool size (VITRINE_DB_MAX_OPEN_CONNS)")
	fs.IntVar(&c.DBMaxIdleConns, "db-max-idle-conns", e.int("VITRINE_DB_MAX_IDLE_CONNS", 20), "idle connections kept (VITRINE_DB_MAX_IDLE_CONNS)")
	fs.DurationVar(&c.DBConnLifetime, "db-conn-max-lifetime", e.duration("VITRINE_DB_CONN_MAX_LIFETIME", 30*time.Minute), "recycle connections after (VITRINE_DB_CONN_MAX_LIFETIME)")
	fs.StringVar(&autoMigrate, "auto-migrate", e.str("VITRINE_AUTO_MIGRATE", ""), "serve, seed and user apply pending schema migrations at start: true or false; when off they refuse an outdated schema and say to run vitrine migrate; default on in development, off in production (VITRINE_AUTO_MIGRATE)")
	return func() error {
		if c.Env != Development && c.Env != Production {
			return fmt.Errorf("VITRINE_ENV must be %q or %q, got %q", Development, Production, c.Env)
		}
		if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
			return fmt.Errorf("VITRINE_LOG_LEVEL: %w", err)
		}
		if c.DatabaseURL != "" {
			if err := checkPostgresURL("DATABASE_URL", c.DatabaseURL); err != nil {
				return err
			}
		}
		// A production schema changes when an operator says so (vitrine migrate), not as a side
		// effect of a replica starting; a developer's database just follows the code.
		var err error
		c.AutoMigrate, err = boolOr("VITRINE_AUTO_MIGRATE", autoMigrate, !c.Production())
		return err
	}
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
