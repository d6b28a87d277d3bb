// Package loader holds the per-request batch loaders for fields that ent's eager loading cannot
// batch: aggregates and counts. Each loader issues one grouped SQL query for all the keys a
// request asks for at once, and maps results by key (never by row order). A schema field
// served by an ID-keyed loader says so with @batch(loader: "Name"), Name being the loader's
// entry in this package's table (Batch), so graph/prime.go can prime it from a whole list.
package loader

import (
	"context"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/vikstrous/dataloadgen"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/feedback"
)

// wait is how long a loader collects keys before it queries. The GraphQL layer primes loaders
// with every key of a list at once (graph/prime.go), so the wait only batches stragglers; a
// short one keeps the latency it adds small.
const wait = time.Millisecond

// Loaders are one request's loaders.
type Loaders struct {
	RatingSummary    *dataloadgen.Loader[int, analytics.Stats]
	CategoryRatings  *dataloadgen.Loader[int, analytics.Stats]
	ProductReviews   *dataloadgen.Loader[int, int]
	CategoryProducts *dataloadgen.Loader[int, int]
	UserReviews      *dataloadgen.Loader[int, int]
	// ReviewPages holds first pages of product reviews (see catalog.ReviewPages).
	ReviewPages *dataloadgen.Loader[catalog.ReviewPageKey, []*ent.Review]
	// MyRatings and MyReviews hold the viewer's own rating and review of products.
	MyRatings *dataloadgen.Loader[int, *int]
	MyReviews *dataloadgen.Loader[int, *ent.Review]
}

// New returns fresh loaders over client. Inside a mutation the batch runs on the request's
// transaction (ent.FromContext), so a mutation's response sees its own writes. hook, when
// set, runs around every batch. pages are the columns review pages read (catalog.ReviewPages;
// the zero value reads every column a field may show).
func New(client *ent.Client, an *analytics.Analytics, cat *catalog.Catalog, fb *feedback.Feedback, hook Hook, pages catalog.PageColumns) *Loaders {
	b := batcher{client: client}
	opt := dataloadgen.WithWait(wait)
	return &Loaders{
		RatingSummary:    dataloadgen.NewMappedLoader(observed(hook, "RatingSummary", an.ProductRatings), opt),
		CategoryRatings:  dataloadgen.NewMappedLoader(observed(hook, "CategoryRatings", subtreeRatings(an)), opt),
		ProductReviews:   dataloadgen.NewMappedLoader(observed(hook, "ProductReviews", an.ReviewCounts), opt),
		CategoryProducts: dataloadgen.NewMappedLoader(observed(hook, "CategoryProducts", b.productsPerCategory), opt),
		UserReviews:      dataloadgen.NewMappedLoader(observed(hook, "UserReviews", b.reviewsPerAuthor), opt),
		ReviewPages:      dataloadgen.NewMappedLoader(observed(hook, "ReviewPages", cat.ReviewPages(pages)), opt),
		MyRatings:        dataloadgen.NewMappedLoader(observed(hook, "MyRatings", fb.MyRatings), opt),
		MyReviews:        dataloadgen.NewMappedLoader(observed(hook, "MyReviews", fb.MyReviews), opt),
	}
}

// batched are the loaders of fields keyed by their object's ID, by the name the schema's
// @batch(loader:) directive gives them (the Loaders field's name): graph/prime.go hands each
// the IDs of every object of a list whose selection includes such a field.
var batched = [...]struct {
	name  string
	prime func(context.Context, *Loaders, []int)
}{
	{"RatingSummary", func(ctx context.Context, l *Loaders, ids []int) { l.RatingSummary.LoadAllThunk(ctx, ids) }},
	{"CategoryRatings", func(ctx context.Context, l *Loaders, ids []int) { l.CategoryRatings.LoadAllThunk(ctx, ids) }},
	{"ProductReviews", func(ctx context.Context, l *Loaders, ids []int) { l.ProductReviews.LoadAllThunk(ctx, ids) }},
	{"CategoryProducts", func(ctx context.Context, l *Loaders, ids []int) { l.CategoryProducts.LoadAllThunk(ctx, ids) }},
	{"UserReviews", func(ctx context.Context, l *Loaders, ids []int) { l.UserReviews.LoadAllThunk(ctx, ids) }},
	{"MyRatings", func(ctx context.Context, l *Loaders, ids []int) { l.MyRatings.LoadAllThunk(ctx, ids) }},
	{"MyReviews", func(ctx context.Context, l *Loaders, ids []int) { l.MyReviews.LoadAllThunk(ctx, ids) }},
}

// Batched is how many loaders Batch knows: a Batch index is below it.
const Batched = len(batched)

// Batch returns the index of the ID-keyed loader named name (as in @batch(loader: name)), or
// false when there is none.
func Batch(name string) (int, bool) {
	for i, b := range batched {
		if b.name == name {
			return i, true
		}
	}
	return 0, false
}

// ReviewCounts is ProductReviews' Batch index: it also answers the totalCount of a product's
// reviews connection.
var ReviewCounts = mustBatch("ProductReviews")

func mustBatch(name string) int {
	i, ok := Batch(name)
	if !ok {
		panic("loader: no batched loader " + name)
	}
	return i
}

// Prime starts the batch of loader i (an index from Batch) with ids; it does not wait for it.
func (l *Loaders) Prime(ctx context.Context, i int, ids []int) {
	if len(ids) > 0 {
		batched[i].prime(ctx, l, ids)
	}
}

// Hook runs around one batch: it is called with the loader's name (the Loaders field) and the
// number of keys before the batch's query, returns the context to run it with (a trace span's,
// say), and the function it returns gets the batch's error afterwards. Metrics and tracing use
// it; dataloadgen's own tracer option makes spans per key, hundreds per request.
type Hook func(ctx context.Context, loader string, keys int) (context.Context, func(error))

func observed[K comparable, V any](hook Hook, name string, fetch func(context.Context, []K) (map[K]V, error)) func(context.Context, []K) (map[K]V, error) {
	if hook == nil {
		return fetch
	}
	return func(ctx context.Context, keys []K) (map[K]V, error) {
		ctx, done := hook(ctx, name, len(keys))
		out, err := fetch(ctx, keys)
		done(err)
		return out, err
	}
}

type ctxKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// NewLazyContext returns ctx carrying the loaders build returns, made when first asked for. A
// subscription keeps its operation's context for as long as it runs, often without ever
// loading through it (each event gets loaders of its own): idle subscribers then hold no
// loaders.
func NewLazyContext(ctx context.Context, build func() *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, &lazy{build: build})
}

type lazy struct {
	once  sync.Once
	build func() *Loaders
	l     *Loaders
}

// FromContext returns the request's loaders. Outside a GraphQL request it returns nil.
func FromContext(ctx context.Context) *Loaders {
	switch l := ctx.Value(ctxKey{}).(type) {
	case *Loaders:
		return l
	case *lazy:
		l.once.Do(func() { l.l = l.build() })
		return l.l
	}
	return nil
}

type batcher struct {
	client *ent.Client
}

// subtreeRatings adapts analytics' subtree totals to a ratings-only loader.
func subtreeRatings(an *analytics.Analytics) func(context.Context, []int) (map[int]analytics.Stats, error) {
	return func(ctx context.Context, roots []int) (map[int]analytics.Stats, error) {
		totals, err := an.SubtreeTotals(ctx, roots)
		if err != nil {
			return nil, err
		}
		out := make(map[int]analytics.Stats, len(totals))
		for id, t := range totals {
			out[id] = t.Ratings
		}
		return out, nil
	}
}

// countRow is one group of a "count per key" query.
type countRow struct {
	Key int `json:"key"`
	N   int `json:"n"`
}

// countPer turns a query into SELECT column AS key, count(*) AS n … GROUP BY column.
func countPer(column string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		s.Select(sql.As(s.C(column), "key"), sql.As(sql.Count("*"), "n")).GroupBy(s.C(column))
	}
}

// byKey maps grouped counts by key.
func byKey(keys []int, rows []countRow) map[int]int {
	out := zeros(keys)
	for _, r := range rows {
		out[r.Key] = r.N
	}
	return out
}

func (b batcher) reviewsPerAuthor(ctx context.Context, ids []int) (map[int]int, error) {
	var rows []countRow
	err := b.client.For(ctx).Review.Query().Where(review.AuthorIDIn(ids...)).Modify(countPer(review.FieldAuthorID)).Scan(ctx, &rows)
	return byKey(ids, rows), err
}

func (b batcher) productsPerCategory(ctx context.Context, ids []int) (map[int]int, error) {
	var rows []countRow
	err := b.client.For(ctx).Product.Query().Where(product.CategoryIDIn(ids...)).Modify(countPer(product.FieldCategoryID)).Scan(ctx, &rows)
	return byKey(ids, rows), err
}

// zeros maps every key to 0: a key with no rows has a count of zero, not a missing value.
func zeros(keys []int) map[int]int {
	out := make(map[int]int, len(keys))
	for _, k := range keys {
		out[k] = 0
	}
	return out
}
