package graph_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// ProductsNested is the canonical deep query of frontend teams, shared with the load test.
var ProductsNested = func() string {
	doc, err := os.ReadFile("../bench/products_nested.graphql")
	if err != nil {
		panic(err)
	}
	return string(doc)
}()

// countingEnv is a stack whose driver counts statements, over a catalog big enough that
// every product has more reviews than a page shows.
func countingEnv(t testing.TB, kind string) (*env, *storetest.CountingDriver) {
	t.Helper()
	var counter *storetest.CountingDriver
	st := storetest.Open(t, kind, func(d dialect.Driver) dialect.Driver {
		counter = storetest.CountStatements(d)
		return counter
	})
	e := newEnv(t, st)
	loadWideCatalog(t, st.Client, e.fx)
	return e, counter
}

// loadWideCatalog adds 40 categories and 120 products with 12 reviews and ratings each by 12
// users.
func loadWideCatalog(t testing.TB, c *ent.Client, fx fixture) {
	t.Helper()
	ctx := context.Background()
	cats := make([]*ent.CategoryCreate, 40)
	for i := range cats {
		cats[i] = c.Category.Create().SetName(fmt.Sprintf("Wide %d", i)).SetSlug(fmt.Sprintf("wide-%d", i)).SetParent(fx.kitchen)
	}
	wideCats := c.Category.CreateBulk(cats...).SaveX(ctx)
	users := make([]*ent.UserCreate, 12)
	for i := range users {
		users[i] = c.User.Create().SetEmail(fmt.Sprintf("wide%d@example.com", i)).SetDisplayName(fmt.Sprintf("Wide %d", i)).SetPasswordHash("!")
	}
	us := c.User.CreateBulk(users...).SaveX(ctx)
	products := make([]*ent.ProductCreate, 120)
	for i := range products {
		products[i] = c.Product.Create().SetSku(fmt.Sprintf("W-%03d", i)).SetName(fmt.Sprintf("Wide %d", i)).
			SetSlug(fmt.Sprintf("wide-%d", i)).SetPrice(int64(100 + i)).SetCategory(wideCats[i%len(wideCats)])
	}
	ps := c.Product.CreateBulk(products...).SaveX(ctx)
	var reviews []*ent.ReviewCreate
	var ratings []*ent.RatingCreate
	for i, p := range ps {
		for j, u := range us {
			reviews = append(reviews, c.Review.Create().SetProduct(p).SetAuthor(u).SetTitle("t").SetBody("b").
				SetCreatedAt(base.Add(time.Duration(i*12+j)*time.Minute)))
			ratings = append(ratings, c.Rating.Create().SetProduct(p).SetUser(u).SetStars((i+j)%5+1))
		}
	}
	for start := 0; start < len(reviews); start += 500 {
		end := min(start+500, len(reviews))
		c.Review.CreateBulk(reviews[start:end]...).ExecX(ctx)
		c.Rating.CreateBulk(ratings[start:end]...).ExecX(ctx)
	}
}

// statements runs query and returns how many SQL statements it cost.
func statements(t *testing.T, c *gqltest.Client, counter *storetest.CountingDriver, query string, vars map[string]any) (int, []string) {
	t.Helper()
	counter.Reset(true)
	var out map[string]any
	c.MustData(t, &out, query, vars)
	return counter.Count(), counter.Statements()
}

func TestStatementCountDoesNotGrowWithRows(t *testing.T) {
	shapes := []struct {
		name  string
		query string
		want  int
		// viewer runs the query as a user who rated and reviewed every wide product.
		viewer bool
	}{
		// products, categories, parents, reviews (10 per product, window-limited), authors,
		// rating summaries, review counts.
		{"ProductsNested", ProductsNested, 7, false},
		// reviews, their authors, the authors' review counts.
		{"ReviewsAuthorsCounts", `query($first: Int) { reviews(first: $first) { edges { node { title author { displayName reviewCount } } } } }`, 3, false},
		// categories, children, their products (one window-limited query), the products'
		// rating summaries, the categories' product counts.
		{"CategoryTreeProductsRatings", `query($first: Int) { categories(first: $first) { edges { node {
			name productCount children { name } products(first: 5) { edges { node { name ratingSummary { average count } } } } } } } }`, 5, false},
		// categories, their subtree rating stats.
		{"CategoryRatingStats", `query($first: Int) { categories(first: $first) { edges { node { name ratingStats { average count } } } } }`, 2, false},
		// the viewer's account (every authenticated request checks it), products, the viewer's
		// ratings, the viewer's reviews.
		{"ProductsMyRatingAndReview", `query($first: Int) { products(first: $first) { edges { node { name myRating myReview { title } } } } }`, 4, true},
		// reviews, authors with their first reviews (eager-loaded), those reviews' products,
		// the products' rating summaries and the authors' review counts.
		{"AuthorsReviewsProducts", `query($first: Int) { reviews(first: $first) { edges { node { author { reviewCount
			reviews(first: 3) { edges { node { title product { name ratingSummary { count } } } } } } } } } }`, 6, false},
	}
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e, counter := countingEnv(t, kind)
			rater := e.asUser(t, e.st.Client.User.Query().Where(user.Email("wide0@example.com")).OnlyX(context.Background()))
			for _, s := range shapes {
				t.Run(s.name, func(t *testing.T) {
					c := e.gql
					if s.viewer {
						c = rater
					}
					small, stmts := statements(t, c, counter, s.query, map[string]any{"first": 10})
					large, largeStmts := statements(t, c, counter, s.query, map[string]any{"first": 100})
					require.Equal(t, small, large, "statement count grew with rows:\n%s", shorten(largeStmts))
					if s.want > 0 {
						require.Equal(t, s.want, small, "statements:\n%s", strings.Join(stmts, "\n"))
					}
					t.Logf("%s: %d statements", s.name, small)
					if os.Getenv("VITRINE_PRINT_SQL") != "" {
						t.Logf("%s", strings.Join(stmts, "\n"))
					}
				})
			}
		})
	}
}

func shorten(stmts []string) string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s[:min(len(s), 160)]
	}
	return strings.Join(out, "\n")
}

// The batched aggregates equal a brute-force computation over all rows.
func TestAggregatesMatchBruteForce(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e, _ := countingEnv(t, kind)
			ctx := context.Background()
			c := e.st.Client
			type summary struct {
				count int
				sum   int
				dist  [5]int
			}
			ratings := map[int]*summary{}
			for _, r := range c.Rating.Query().AllX(ctx) {
				s := ratings[r.ProductID]
				if s == nil {
					s = &summary{}
					ratings[r.ProductID] = s
				}
				s.count++
				s.sum += r.Stars
				s.dist[r.Stars-1]++
			}
			reviewsPerProduct, reviewsPerUser, productsPerCategory := map[string]int{}, map[string]int{}, map[string]int{}
			for _, r := range c.Review.Query().AllX(ctx) {
				reviewsPerProduct[relay.Encode(r.ProductID)]++
				reviewsPerUser[relay.Encode(r.AuthorID)]++
			}
			for _, p := range c.Product.Query().AllX(ctx) {
				productsPerCategory[relay.Encode(p.CategoryID)]++
			}

			var out struct {
				Products struct {
					Edges []struct {
						Node struct {
							ID            string
							ReviewCount   int
							RatingSummary struct {
								Average      *float64
								Count        int
								Distribution []int
							}
							Reviews struct {
								Edges []struct {
									Node struct {
										Author struct {
											ID          string
											ReviewCount int
										}
									}
								}
							}
						}
					}
				}
				Categories struct {
					Edges []struct {
						Node struct {
							ID           string
							ProductCount int
						}
					}
				}
			}
			e.gql.MustData(t, &out, `{
				products(first: 100) { edges { node { id reviewCount ratingSummary { average count distribution }
					reviews(first: 3) { edges { node { author { id reviewCount } } } } } } }
				categories(first: 100) { edges { node { id productCount } } } }`, nil)
			require.Len(t, out.Products.Edges, 100)
			for _, edge := range out.Products.Edges {
				n := edge.Node
				id, err := relay.Decode(n.ID)
				require.NoError(t, err)
				want := ratings[id]
				if want == nil {
					want = &summary{}
				}
				require.Equal(t, reviewsPerProduct[n.ID], n.ReviewCount)
				require.Equal(t, want.count, n.RatingSummary.Count)
				require.Equal(t, want.dist[:], n.RatingSummary.Distribution)
				if want.count == 0 {
					require.Nil(t, n.RatingSummary.Average)
				} else {
					require.InDelta(t, float64(want.sum)/float64(want.count), *n.RatingSummary.Average, 1e-9)
				}
				for _, r := range n.Reviews.Edges {
					require.Equal(t, reviewsPerUser[r.Node.Author.ID], r.Node.Author.ReviewCount)
				}
			}
			require.Len(t, out.Categories.Edges, 44)
			for _, edge := range out.Categories.Edges {
				require.Equal(t, productsPerCategory[edge.Node.ID], edge.Node.ProductCount)
			}
		})
	}
}

// A mutation refused for its credentials is refused before the transactioner: it opens no
// transaction and runs no statement, while the same mutation with a valid token opens one.
func TestRefusedMutationOpensNoTransaction(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e, counter := countingEnv(t, kind)
			const rate = `mutation($p: ID!) { rateProduct(productID: $p, stars: 4) { stars } }`
			vars := map[string]any{"p": relay.Encode(e.fx.products[0].ID)}

			counter.Reset(true)
			e.as("Bearer forged.token.value").MustError(t, "UNAUTHENTICATED", rate, vars)
			require.Zero(t, counter.Transactions(), "a forged token opened a transaction")
			require.Zero(t, counter.Count(), "a forged token ran statements: %v", counter.Statements())

			counter.Reset(false)
			var out map[string]any
			e.asUser(t, e.fx.users[1]).MustData(t, &out, rate, vars)
			require.Equal(t, 1, counter.Transactions(), "a mutation runs in one transaction")
		})
	}
}
