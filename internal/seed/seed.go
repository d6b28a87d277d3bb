// Package seed loads a realistic, deterministic demo catalog: a three-level category tree,
// products with believable names and searchable descriptions, shoppers, and their reviews and
// ratings with the skew real stores show (a few hit products, a long tail, mostly happy stars).
//
// The same Options always produce the same rows, so screenshots, demos and tests are stable.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vitrinehq/vitrine/ent"
)

// Options control the size of the generated catalog. Two loads with equal Options produce
// identical data.
type Options struct {
	// Seed selects one of many equally plausible catalogs.
	Seed int64
	// Products, Categories, Users, Reviews and Ratings are exact row counts. Products need at
	// least 3 categories (one department, subcategory and leaf); Reviews and Ratings may each
	// be at most Products*Users because a user writes and rates a product at most once.
	Products, Categories, Users, Reviews, Ratings int
	// Now is the end of the 18-month window every timestamp falls in. The zero value means
	// the start of the current UTC day, so loads on the same day still match.
	Now time.Time
}

// Stats counts the rows Load inserted.
type Stats struct{ Categories, Products, Users, Reviews, Ratings int }

// Demo returns the demo scale: every category of the built-in tree (6 departments, 18
// subcategories, 54 leaves), 500 products, 120 users, 3,000 reviews and 8,000 ratings.
func Demo() Options {
	return Options{
		Seed:       1,
		Products:   500,
		Categories: vocabCategoryCount(),
		Users:      120,
		Reviews:    3000,
		Ratings:    8000,
	}
}

// historyMonths is how far back timestamps go: long enough for "sort by newest" and date filters to
// show a spread, short enough that the catalog looks current.
const historyMonths = 18

// Load inserts the catalog described by opts in one transaction, so a failure leaves the
// database untouched; client must therefore not itself be a transaction's client. It expects
// a database without a catalog (see IsEmpty): the slugs, SKUs and emails it generates would
// collide with an earlier load's.
func Load(ctx context.Context, client *ent.Client, opts Options) (Stats, error) {
	if err := opts.validate(); err != nil {
		return Stats{}, err
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("seed: begin: %w", err)
	}
	l := newLoader(tx.Client(), opts)
	stats, err := l.run(ctx)
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return Stats{}, fmt.Errorf("seed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Stats{}, fmt.Errorf("seed: commit: %w", err)
	}
	return stats, nil
}

// IsEmpty reports whether the database has no products and no categories, i.e. whether Load
// can run without colliding with existing data.
func IsEmpty(ctx context.Context, client *ent.Client) (bool, error) {
	hasProducts, err := client.Product.Query().Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: check products: %w", err)
	}
	hasCategories, err := client.Category.Query().Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: check categories: %w", err)
	}
	return !hasProducts && !hasCategories, nil
}

func (o Options) validate() error {
	if o.Products < 0 || o.Categories < 0 || o.Users < 0 || o.Reviews < 0 || o.Ratings < 0 {
		return errors.New("seed: counts must not be negative")
	}
	if o.Products > 0 && o.Categories < 3 {
		return errors.New("seed: products need at least 3 categories (department, subcategory, leaf)")
	}
	if limit := maxCategories(); o.Categories > limit {
		return fmt.Errorf("seed: at most %d categories are supported, got %d", limit, o.Categories)
	}
	// Widen before multiplying so huge counts cannot overflow into a false "fits".
	pairs := int64(o.Products) * int64(o.Users)
	if int64(o.Reviews) > pairs || int64(o.Ratings) > pairs {
		return fmt.Errorf("seed: reviews (%d) and ratings (%d) must each be at most products*users (%d): "+
			"a user reviews and rates a product at most once", o.Reviews, o.Ratings, pairs)
	}
	return nil
}

// window returns the span timestamps fall in. Sub-second parts are dropped because SQLite and
// Postgres keep different precisions, and identical options must give identical rows on both.
func (o Options) window() (start, end time.Time) {
	end = o.Now
	if end.IsZero() {
		end = time.Now().UTC().Truncate(24 * time.Hour)
	}
	end = end.UTC().Truncate(time.Second)
	return end.AddDate(0, -historyMonths, 0), end
}

// Each generation phase draws from its own stream, so that changing, say, Reviews or Users
// leaves the products as they were, and changing Products leaves the users.
const (
	streamProducts uint64 = iota + 1
	streamUsers
	streamFeedback
	streamReviewText
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// loader carries what one Load has inserted so far, for the phases that reference it.
type loader struct {
	client     *ent.Client
	opts       Options
	start, now time.Time
	leaves     []leafCategory
	products   []productRow
	users      []userRow
}

func newLoader(client *ent.Client, opts Options) *loader {
	start, now := opts.window()
	return &loader{client: client, opts: opts, start: start, now: now}
}

func (l *loader) run(ctx context.Context) (Stats, error) {
	var stats Stats
	var err error
	if stats.Categories, err = l.loadCategories(ctx); err != nil {
		return Stats{}, fmt.Errorf("categories: %w", err)
	}
	if stats.Products, err = l.loadProducts(ctx); err != nil {
		return Stats{}, fmt.Errorf("products: %w", err)
	}
	if stats.Users, err = l.loadUsers(ctx); err != nil {
		return Stats{}, fmt.Errorf("users: %w", err)
	}
	if stats.Reviews, stats.Ratings, err = l.loadFeedback(ctx); err != nil {
		return Stats{}, fmt.Errorf("feedback: %w", err)
	}
	return stats, nil
}

// maxBindParams stays under SQLite's default limit of 32766 host parameters per statement,
// the lower of the two databases' limits (Postgres allows 65535).
const maxBindParams = 32000

// maxBatchRows bounds one INSERT's size in bytes as well, since review bodies make rows large.
const maxBatchRows = 2000

// inBatches calls insert on consecutive [lo, hi) ranges of n rows whose bind parameters fit
// one statement; columns is the number of values each row binds.
func inBatches(n, columns int, insert func(lo, hi int) error) error {
	size := min(maxBatchRows, maxBindParams/columns)
	for lo := 0; lo < n; lo += size {
		if err := insert(lo, min(lo+size, n)); err != nil {
			return err
		}
	}
	return nil
}
