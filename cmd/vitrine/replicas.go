package main

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"

	"entgo.io/ent/dialect"
	"github.com/redis/go-redis/v9"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/replica"
	"github.com/vitrinehq/vitrine/internal/store"
)

// newRouter sends reads to the configured replicas of primary. With Redis (rdb, nil without)
// the read-your-writes markers live there, so they hold whichever process serves a user next.
func newRouter(cfg config.Config, log *slog.Logger, primary dialect.Driver, rdb *redis.Client) (*replica.Router, error) {
	opts := replica.Options{
		MaxLag:        cfg.ReplicaMaxLag,
		CheckInterval: cfg.ReplicaCheckInterval,
		Log:           log,
	}
	if rdb != nil {
		opts.Marks = replica.NewRedisMarks(rdb, cfg.Edge.RedisPrefix+"ryw:")
	}
	pool := func(db *sql.DB) {
		store.ConfigurePool(db, store.Options{
			MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns, ConnMaxLifetime: cfg.DBConnLifetime,
		})
	}
	r, err := replica.New(primary, cfg.ReplicaURLs, pool, opts)
	if err != nil {
		return nil, err
	}
	log.Info("reads go to replicas", "replicas", len(cfg.ReplicaURLs), "max_lag", cfg.ReplicaMaxLag.String(),
		"check_interval", cfg.ReplicaCheckInterval.String(), "marks_in_redis", cfg.Edge.RedisURL != "")
	return r, nil
}

// viewerKey keys read-your-writes by user; anonymous requests have none.
func viewerKey(r *http.Request) string {
	if v := auth.FromContext(r.Context()); v != nil {
		return strconv.Itoa(v.UserID)
	}
	return ""
}

// lookupFresh finds a token's user on a replica, and on the primary when the replica does not
// know them yet: someone who registered a moment ago must not be told they do not exist.
func lookupFresh(lookup auth.UserLookup) auth.UserLookup {
	return func(ctx context.Context, id int) (user.Role, bool, error) {
		role, found, err := lookup(ctx, id)
		if err == nil && !found {
			return lookup(replica.WithPrimary(ctx), id)
		}
		return role, found, err
	}
}
