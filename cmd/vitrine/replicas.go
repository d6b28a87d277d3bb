package main

import (
	"database/sql"
	"log/slog"

	"entgo.io/ent/dialect"
	"github.com/redis/go-redis/v9"

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
