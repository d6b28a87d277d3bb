package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// FoldInterval is how often a server folds the deltas of the rollups and counters
// (aggregates.go). A reader sums the deltas of about this long besides the folded rows; 500
// ratings a second into one category leave a few thousand.
const FoldInterval = time.Second

// foldTimeout bounds one fold, so that a frozen database delays the next one instead of
// holding the loop.
const foldTimeout = 10 * time.Second

// FoldDeltas folds every pending delta of db (a Postgres primary) into the rollups and
// counters; ok is false when another process was folding.
func FoldDeltas(ctx context.Context, db *sql.DB) (ok bool, err error) {
	var written int64
	if err := db.QueryRowContext(ctx, "SELECT vitrine_aggregates_fold()").Scan(&written); err != nil {
		return false, fmt.Errorf("fold aggregate deltas: %w", err)
	}
	return written >= 0, nil
}

// KeepFolding folds the deltas of db every interval until ctx ends. A failure is logged
// once, and its end once: the deltas wait, and readers still sum them.
func KeepFolding(ctx context.Context, db *sql.DB, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fctx, cancel := context.WithTimeout(ctx, foldTimeout)
		_, err := FoldDeltas(fctx, db)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil && !failing:
			log.Warn("aggregate deltas not folded; analytics stay exact, and read more rows until a fold succeeds", "err", err)
		case err == nil && failing:
			log.Info("aggregate deltas folded again")
		}
		failing = err != nil
	}
}
