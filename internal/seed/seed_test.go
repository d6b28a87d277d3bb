package seed_test

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/ent/schema"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/seed"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestMain stops the throwaway Postgres cluster, if a test started one.
func TestMain(m *testing.M) { storetest.Main(m) }

// now is fixed so that every run, on every store, generates the same catalog.
var now = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// stores are the databases Vitrine runs on; every test that touches data runs on both.
var stores = []struct {
	name string
	open func(t *testing.T) *ent.Client
}{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

func openSQLite(t *testing.T) *ent.Client {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "t.db") +
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	require.NoError(t, err)
	return migrated(t, ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, db))))
}

func openPostgres(t *testing.T) *ent.Client {
	t.Helper()
	client, err := ent.Open(dialect.Postgres, storetest.URL(t))
	require.NoError(t, err)
	return migrated(t, client)
}

func migrated(t *testing.T, client *ent.Client) *ent.Client {
	t.Cleanup(func() { client.Close() })
	require.NoError(t, client.Schema.Create(t.Context()))
	return client
}

func demo() seed.Options {
	opts := seed.Demo()
	opts.Now = now
	return opts
}

// TestDemoScale pins the demo scale the brief asks for.
func TestDemoScale(t *testing.T) {
	opts := seed.Demo()
	require.GreaterOrEqual(t, opts.Products, 500)
	require.GreaterOrEqual(t, opts.Categories, 20)
	require.GreaterOrEqual(t, opts.Users, 100)
	require.InDelta(t, 3000, opts.Reviews, 300)
	require.InDelta(t, 8000, opts.Ratings, 800)
}

// TestLoadDemo loads the demo catalog into each store and checks it row by row.
func TestLoadDemo(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			client := st.open(t)
			empty, err := seed.IsEmpty(ctx, client)
			require.NoError(t, err)
			require.True(t, empty)

			opts := demo()
			began := time.Now()
			stats, err := seed.Load(ctx, client, opts)
			require.NoError(t, err)
			t.Logf("%s: demo load took %v", st.name, time.Since(began))
			require.Equal(t, seed.Stats{Categories: opts.Categories, Products: opts.Products, Users: opts.Users,
				Reviews: opts.Reviews, Ratings: opts.Ratings}, stats)
			requireCounts(t, client, stats)

			empty, err = seed.IsEmpty(ctx, client)
			require.NoError(t, err)
			require.False(t, empty)

			require.Equal(t, 6, checkCategoryTree(t, client), "six departments")
			checkProducts(t, client)
			checkUsers(t, client)
			requireRealisticFeedback(t, checkFeedback(t, client))
			checkSearchableText(t, client)
		})
	}
}

func requireCounts(t *testing.T, client *ent.Client, want seed.Stats) {
	t.Helper()
	ctx := t.Context()
	got := seed.Stats{
		Categories: client.Category.Query().CountX(ctx),
		Products:   client.Product.Query().CountX(ctx),
		Users:      client.User.Query().CountX(ctx),
		Reviews:    client.Review.Query().CountX(ctx),
		Ratings:    client.Rating.Query().CountX(ctx),
	}
	require.Equal(t, want, got)
}

// checkCategoryTree checks the tree's shape and returns the number of departments.
func checkCategoryTree(t *testing.T, client *ent.Client) int {
	t.Helper()
	ctx := t.Context()
	cats := client.Category.Query().AllX(ctx)
	parent := map[int]*int{}
	hasChildren := map[int]bool{}
	slugs := map[string]bool{}
	for _, c := range cats {
		parent[c.ID] = c.ParentID
		if c.ParentID != nil {
			hasChildren[*c.ParentID] = true
		}
		require.Regexp(t, slugPattern, c.Slug)
		require.False(t, slugs[c.Slug], "duplicate category slug %q", c.Slug)
		slugs[c.Slug] = true
	}
	maxDepth, roots := 0, 0
	for _, c := range cats {
		depth := 1
		for p := c.ParentID; p != nil; p = parent[*p] {
			depth++
		}
		maxDepth = max(maxDepth, depth)
		if c.ParentID == nil {
			roots++
		}
	}
	require.GreaterOrEqual(t, maxDepth, 3)
	// Products sit in leaf categories only, as a shop files them.
	for _, p := range client.Product.Query().Select(product.FieldCategoryID).AllX(ctx) {
		require.False(t, hasChildren[p.CategoryID], "product %d is filed under a non-leaf category", p.ID)
	}
	return roots
}

var (
	slugPattern = schema.SlugPattern
	skuPattern  = regexp.MustCompile(`^[A-Z]{3}-[A-Z]{3}-\d{5}$`)
)

func checkProducts(t *testing.T, client *ent.Client) {
	t.Helper()
	products := client.Product.Query().AllX(t.Context())
	seen := map[string]bool{}
	currencies := map[string]int{}
	outOfStock := 0
	for _, p := range products {
		require.Regexp(t, slugPattern, p.Slug)
		require.Regexp(t, skuPattern, p.Sku)
		for _, key := range []string{"slug:" + p.Slug, "sku:" + p.Sku, "name:" + p.Name} {
			require.False(t, seen[key], "duplicate %s", key)
			seen[key] = true
		}
		sentences := strings.Count(p.Description, ". ") + 1
		require.True(t, sentences >= 2 && sentences <= 4 && strings.HasSuffix(p.Description, "."),
			"description of %q: %q", p.Name, p.Description)
		require.Equal(t, "https://images.example.com/products/"+p.Slug+".jpg", p.ImageURL)
		require.Positive(t, p.Price)
		require.LessOrEqual(t, p.Price, int64(250000))
		require.GreaterOrEqual(t, p.Stock, 0)
		require.LessOrEqual(t, p.Stock, 500)
		if p.Stock == 0 {
			outOfStock++
		}
		currencies[p.Currency]++
		requireInWindow(t, p.CreatedAt)
		require.False(t, p.UpdatedAt.Before(p.CreatedAt))
	}
	require.Len(t, currencies, 3, "USD, EUR and JPY: %v", currencies)
	require.Greater(t, currencies["USD"], len(products)*8/10, "mostly USD: %v", currencies)
	require.Positive(t, currencies["EUR"])
	require.Positive(t, currencies["JPY"])
	require.InDelta(t, 0.05, float64(outOfStock)/float64(len(products)), 0.03, "about 5%% out of stock")
}

func requireInWindow(t *testing.T, at time.Time) {
	t.Helper()
	require.False(t, at.Before(now.AddDate(0, -18, 0)), "%v is more than 18 months before now", at)
	require.False(t, at.After(now), "%v is in the future", at)
}

var emailPattern = regexp.MustCompile(`^[a-z]+\.[a-z]+\d+@example\.com$`)

func checkUsers(t *testing.T, client *ent.Client) {
	t.Helper()
	ctx := t.Context()
	require.Zero(t, client.User.Query().Where(user.RoleEQ(user.RoleADMIN)).CountX(ctx), "no admin accounts")
	for _, u := range client.User.Query().AllX(ctx) {
		require.Regexp(t, emailPattern, u.Email)
		require.Equal(t, "!demo-no-login", u.PasswordHash)
		require.NotEmpty(t, u.DisplayName)
		requireInWindow(t, u.CreatedAt)
	}
}

// feedback summarises the reviews and ratings checkFeedback read.
type feedback struct {
	stars      [6]int      // ratings per star
	perProduct map[int]int // reviews per product
	reviews    int
	withRating int // reviews whose author also rated the product
}

// checkFeedback checks what must hold for any options: ranges, one review and one rating per
// (user, product), and words that agree with the author's stars.
func checkFeedback(t *testing.T, client *ent.Client) feedback {
	t.Helper()
	ctx := t.Context()
	type pair struct{ user, product int }
	rated := map[pair]int{}
	f := feedback{perProduct: map[int]int{}}
	for _, r := range client.Rating.Query().AllX(ctx) {
		require.True(t, r.Stars >= 1 && r.Stars <= 5)
		key := pair{r.UserID, r.ProductID}
		_, dup := rated[key]
		require.False(t, dup, "two ratings by one user for one product")
		rated[key] = r.Stars
		f.stars[r.Stars]++
		requireInWindow(t, r.CreatedAt)
		require.False(t, r.UpdatedAt.Before(r.CreatedAt))
	}
	reviewed := map[pair]bool{}
	for _, r := range client.Review.Query().AllX(ctx) {
		key := pair{r.AuthorID, r.ProductID}
		require.False(t, reviewed[key], "two reviews by one author for one product")
		reviewed[key] = true
		f.perProduct[r.ProductID]++
		f.reviews++
		require.LessOrEqual(t, len(r.Title), 200)
		require.True(t, len(r.Body) >= 1 && len(r.Body) <= 10000)
		requireInWindow(t, r.CreatedAt)
		require.False(t, r.UpdatedAt.Before(r.CreatedAt))
		if stars, ok := rated[key]; ok {
			f.withRating++
			requireSentiment(t, stars, r.Title+" "+r.Body)
		}
	}
	return f
}

// requireRealisticFeedback checks the shape of a catalog big enough to have one: J-shaped
// stars, reviewers who also rate, and a few products with most of the reviews.
func requireRealisticFeedback(t *testing.T, f feedback) {
	t.Helper()
	stars := f.stars[1:]
	for s := 1; s <= 4; s++ {
		require.Greater(t, f.stars[5], f.stars[s], "5★ is the most common: %v", stars)
	}
	for _, s := range []int{1, 3, 4, 5} {
		require.Less(t, f.stars[2], f.stars[s], "2★ is the least common: %v", stars)
	}
	require.Greater(t, f.withRating, f.reviews*8/10, "most reviewers also rated the product")
	requireSkewed(t, f.perProduct, f.reviews)
}

// requireSentiment checks that a review's words agree with its author's stars.
func requireSentiment(t *testing.T, stars int, text string) {
	t.Helper()
	if stars >= 4 {
		for _, bad := range []string{"Save your money", "Waste of money", "Avoid"} {
			require.NotContains(t, text, bad)
		}
	}
	if stars <= 2 {
		for _, good := range []string{"Highly recommended", "Worth every penny", "Love it"} {
			require.NotContains(t, text, good)
		}
	}
}

// requireSkewed checks the Zipf-like spread: the most reviewed tenth of the reviewed
// products holds a large share of all reviews.
func requireSkewed(t *testing.T, perProduct map[int]int, total int) {
	t.Helper()
	counts := make([]int, 0, len(perProduct))
	for _, n := range perProduct {
		counts = append(counts, n)
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, n := range counts[:len(counts)/10] {
		top += n
	}
	require.Greater(t, top, total*35/100, "top 10%% of products hold %d of %d reviews", top, total)
	require.Greater(t, counts[0], 10*counts[len(counts)/2], "best-seller vs median product")
}

// checkSearchableText checks that shoppers' typical queries have something to find, and that
// what they find is what they meant.
func checkSearchableText(t *testing.T, client *ent.Client) {
	t.Helper()
	ctx := t.Context()
	for _, tc := range []struct{ query, skuPrefix string }{
		{"waterproof", ""},
		{"cast iron", ""},
		{"espresso", "KIT-"},
		{"running shoes", "SPO-RSH-"},
	} {
		hits := client.Product.Query().
			Where(product.Or(product.NameContainsFold(tc.query), product.DescriptionContainsFold(tc.query))).
			AllX(ctx)
		require.GreaterOrEqual(t, len(hits), 3, "query %q", tc.query)
		for _, p := range hits {
			require.True(t, strings.HasPrefix(p.Sku, tc.skuPrefix), "%q found %s %q", tc.query, p.Sku, p.Name)
		}
	}
}

// TestLoadIsDeterministic loads the demo twice into each store and expects the same rows in
// the same ID order every time, on SQLite and Postgres alike.
func TestLoadIsDeterministic(t *testing.T) {
	opts := demo()
	var want *snapshot
	for _, st := range stores {
		for run := range 2 {
			client := st.open(t)
			_, err := seed.Load(t.Context(), client, opts)
			require.NoError(t, err)
			got := takeSnapshot(t, client)
			if want == nil {
				want = got
				continue
			}
			// Not only two loads into one kind of store agree, but SQLite and Postgres too.
			require.Equal(t, want, got, "%s run %d differs from the first load", st.name, run+1)
		}
	}

	other := opts
	other.Seed++
	client := openSQLite(t)
	_, err := seed.Load(t.Context(), client, other)
	require.NoError(t, err)
	require.NotEqual(t, want.Products, takeSnapshot(t, client).Products, "another seed, another catalog")
}

// snapshot is a load's content in ID order, without the IDs themselves.
type snapshot struct {
	Categories, Products, Users, Reviews, Ratings []string
}

func takeSnapshot(t *testing.T, client *ent.Client) *snapshot {
	t.Helper()
	ctx := t.Context()
	s := &snapshot{}
	for _, c := range client.Category.Query().Order(ent.Asc("id")).AllX(ctx) {
		s.Categories = append(s.Categories, c.Name+"|"+c.Slug)
	}
	// IDs differ between stores, so references are recorded by natural key.
	sku, email := map[int]string{}, map[int]string{}
	for _, p := range client.Product.Query().Order(ent.Asc("id")).AllX(ctx) {
		sku[p.ID] = p.Sku
		s.Products = append(s.Products, strings.Join([]string{p.Sku, p.Name, p.Slug, p.Description,
			itoa(p.Price), p.Currency, itoa(p.Stock), unix(p.CreatedAt), unix(p.UpdatedAt)}, "|"))
	}
	for _, u := range client.User.Query().Order(ent.Asc("id")).AllX(ctx) {
		email[u.ID] = u.Email
		s.Users = append(s.Users, u.Email+"|"+u.DisplayName+"|"+unix(u.CreatedAt))
	}
	for _, r := range client.Review.Query().Order(ent.Asc("id")).AllX(ctx) {
		s.Reviews = append(s.Reviews, strings.Join([]string{sku[r.ProductID], email[r.AuthorID],
			r.Title, r.Body, unix(r.CreatedAt), unix(r.UpdatedAt)}, "|"))
	}
	for _, r := range client.Rating.Query().Order(ent.Asc("id")).AllX(ctx) {
		s.Ratings = append(s.Ratings, strings.Join([]string{sku[r.ProductID], email[r.UserID],
			itoa(r.Stars), unix(r.CreatedAt), unix(r.UpdatedAt)}, "|"))
	}
	return s
}
