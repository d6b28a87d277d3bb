package seed

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// opinion is a planned review or rating. Indices and Unix seconds keep it small: the large
// scale plans 700,000 of them.
type opinion struct {
	product, user    int32
	stars            int8
	created, updated int64
}

// Star distributions (1★..5★) of a product everyone likes and of a dud. Each product mixes
// the two by its quality; with most products good, the catalog as a whole shows the J-shape
// of real shops: mostly 5★ and 4★, some 1★ from the let-down, and few 2★ or 3★.
var (
	goodStars = [5]float64{0.03, 0.02, 0.05, 0.25, 0.65}
	badStars  = [5]float64{0.30, 0.12, 0.20, 0.18, 0.20}
)

// Shares of users that may review or rate one product before the hard limit (every user) is
// needed: even a best-seller is not reviewed by everybody. Each product gets 60–100% of the
// share, so best-sellers that hit it do not all stop at the same count.
const (
	reviewSoftShare = 0.5
	ratingSoftShare = 0.85
	// reviewerRates is the share of reviews whose author also left a star rating.
	reviewerRates = 0.9
)

// feedbackPlan holds the per-product and per-user traits that shape reviews and ratings.
type feedbackPlan struct {
	rng        *rand.Rand
	l          *loader
	popularity []float64    // per product, Zipf-like over a random ranking
	capShare   []float64    // per product, the part of the soft shares it may use
	stars      [][5]float64 // per product, cumulative star distribution
	users      *userSampler
}

func (l *loader) loadFeedback(ctx context.Context) (reviews, ratings int, err error) {
	if l.opts.Reviews == 0 && l.opts.Ratings == 0 {
		return 0, 0, nil
	}
	f := newFeedbackPlan(l)
	rv, byProduct := f.planReviews()
	rt := f.planRatings(rv, byProduct)
	sortByTime(rv)
	sortByTime(rt)
	if err := l.insertReviews(ctx, rv); err != nil {
		return 0, 0, err
	}
	if err := l.insertRatings(ctx, rt); err != nil {
		return 0, 0, err
	}
	return len(rv), len(rt), nil
}

func newFeedbackPlan(l *loader) *feedbackPlan {
	rng := newRand(l.opts.Seed, streamFeedback)
	f := &feedbackPlan{rng: rng, l: l}
	// The offset keeps the best-sellers close to each other rather than one far ahead; the
	// exponent gives the top tenth of products about half of the reviews.
	f.popularity = zipf(rng, len(l.products), 20, 1.2)
	f.capShare = make([]float64, len(l.products))
	f.stars = make([][5]float64, len(l.products))
	for p := range f.stars {
		f.capShare[p] = 0.6 + 0.4*rng.Float64()
		u := rng.Float64()
		f.stars[p] = mixStars(1 - u*u)
	}
	// A few enthusiasts write far more than the typical shopper.
	f.users = newUserSampler(zipf(rng, len(l.users), 10, 0.8))
	return f
}

// zipf weighs n items by 1/(rank+offset)^s over a random ranking.
func zipf(rng *rand.Rand, n int, offset, s float64) []float64 {
	w := make([]float64, n)
	for rank, i := range rng.Perm(n) {
		w[i] = 1 / math.Pow(float64(rank)+offset, s)
	}
	return w
}

// mixStars returns the cumulative star distribution of a product of the given quality (0..1).
func mixStars(quality float64) [5]float64 {
	var cum [5]float64
	sum := 0.0
	for i := range cum {
		sum += quality*goodStars[i] + (1-quality)*badStars[i]
		cum[i] = sum
	}
	return cum
}

func (f *feedbackPlan) drawStars(p int) int8 {
	x := f.rng.Float64() * f.stars[p][4]
	for i, c := range f.stars[p] {
		if x < c {
			return int8(i + 1)
		}
	}
	return 5
}

// planReviews picks each product's review count by popularity, then distinct authors for it,
// which guarantees one review per (author, product). byProduct[p]..byProduct[p+1] indexes
// product p's reviews.
func (f *feedbackPlan) planReviews() (reviews []opinion, byProduct []int) {
	nUsers := len(f.l.users)
	counts := make([]int, len(f.l.products))
	soft := func(p int) int { return f.softCap(p, reviewSoftShare) }
	left := allocate(f.rng, f.popularity, counts, f.l.opts.Reviews, soft)
	allocate(f.rng, f.popularity, counts, left, func(int) int { return nUsers })

	reviews = make([]opinion, 0, f.l.opts.Reviews)
	byProduct = make([]int, len(counts)+1)
	var authors []int32
	for p, n := range counts {
		byProduct[p] = len(reviews)
		f.users.reset()
		authors = f.users.draw(f.rng, n, authors[:0])
		for _, u := range authors {
			reviews = append(reviews, f.opinion(p, u, f.drawStars(p)))
		}
	}
	byProduct[len(counts)] = len(reviews)
	return reviews, byProduct
}

// planRatings gives most reviewers a matching star rating, then spreads the remaining
// ratings by popularity over users who did not review the product, so a user never has two
// ratings for one product and never a rating that contradicts their review.
func (f *feedbackPlan) planRatings(reviews []opinion, byProduct []int) []opinion {
	total, nUsers := f.l.opts.Ratings, len(f.l.users)
	// Room left for ratings by non-reviewers; if it is short, more reviewers must rate.
	room := int64(len(f.l.products))*int64(nUsers) - int64(len(reviews))
	linked := min(int(math.Round(reviewerRates*float64(len(reviews)))), total)
	linked = max(linked, total-int(min(room, int64(total))))
	ratings := make([]opinion, 0, total)
	for _, i := range f.sample(len(reviews), linked) {
		ratings = append(ratings, reviews[i])
	}

	counts := make([]int, len(f.l.products))
	reviewed := func(p int) int { return byProduct[p+1] - byProduct[p] }
	soft := func(p int) int { return max(0, f.softCap(p, ratingSoftShare)-reviewed(p)) }
	left := allocate(f.rng, f.popularity, counts, total-linked, soft)
	allocate(f.rng, f.popularity, counts, left, func(p int) int { return nUsers - reviewed(p) })

	var raters []int32
	for p, n := range counts {
		f.users.reset()
		for _, r := range reviews[byProduct[p]:byProduct[p+1]] {
			f.users.take(r.user)
		}
		raters = f.users.draw(f.rng, n, raters[:0])
		for _, u := range raters {
			ratings = append(ratings, f.opinion(p, u, f.drawStars(p)))
		}
	}
	return ratings
}

// softCap is how many users may review or rate product p before the hard limit applies.
func (f *feedbackPlan) softCap(p int, share float64) int {
	return int(math.Ceil(share * f.capShare[p] * float64(len(f.l.users))))
}

// sample returns k distinct indices below n in ascending order (a partial Fisher–Yates).
func (f *feedbackPlan) sample(n, k int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := range k {
		j := i + f.rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	idx = idx[:k]
	slices.Sort(idx)
	return idx
}

// opinion dates a review or rating between the later of the product's launch and the user's
// sign-up and now; a quarter were edited afterwards.
func (f *feedbackPlan) opinion(p int, u int32, stars int8) opinion {
	from := max(f.l.products[p].created.Unix(), f.l.users[u].created.Unix())
	now := f.l.now.Unix()
	created := from + f.rng.Int64N(now-from+1)
	updated := created
	if f.rng.IntN(4) == 0 {
		updated += f.rng.Int64N(now - created + 1)
	}
	return opinion{product: int32(p), user: u, stars: stars, created: created, updated: updated}
}

// sortByTime orders opinions as they were written, so IDs rise with created_at as they would
// in a live shop. Product and user break ties; the pair is unique, so the order is total.
func sortByTime(ops []opinion) {
	slices.SortFunc(ops, func(a, b opinion) int {
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.product, b.product), cmp.Compare(a.user, b.user))
	})
}
