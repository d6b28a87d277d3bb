package seed

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vitrinehq/vitrine/ent"
)

// reviewColumns and ratingColumns are the values a row binds: created_at, updated_at, then
// title, body, product_id, author_id for reviews and stars, product_id, user_id for ratings.
const (
	reviewColumns = 6
	ratingColumns = 5
)

// insertReviews writes the reviews in order, composing each text just before its batch so
// the bodies of a large load are never all in memory at once.
func (l *loader) insertReviews(ctx context.Context, reviews []opinion) error {
	rng := newRand(l.opts.Seed, streamReviewText)
	return inBatches(len(reviews), reviewColumns, func(lo, hi int) error {
		builders := make([]*ent.ReviewCreate, 0, hi-lo)
		for _, r := range reviews[lo:hi] {
			title, body := reviewText(rng, &l.products[r.product], int(r.stars))
			builders = append(builders, l.client.Review.Create().
				SetTitle(title).SetBody(body).
				SetProductID(l.products[r.product].id).SetAuthorID(l.users[r.user].id).
				SetCreatedAt(time.Unix(r.created, 0).UTC()).SetUpdatedAt(time.Unix(r.updated, 0).UTC()))
		}
		return l.client.Review.CreateBulk(builders...).Exec(ctx)
	})
}

func (l *loader) insertRatings(ctx context.Context, ratings []opinion) error {
	return inBatches(len(ratings), ratingColumns, func(lo, hi int) error {
		builders := make([]*ent.RatingCreate, 0, hi-lo)
		for _, r := range ratings[lo:hi] {
			builders = append(builders, l.client.Rating.Create().
				SetStars(int(r.stars)).
				SetProductID(l.products[r.product].id).SetUserID(l.users[r.user].id).
				SetCreatedAt(time.Unix(r.created, 0).UTC()).SetUpdatedAt(time.Unix(r.updated, 0).UTC()))
		}
		return l.client.Rating.CreateBulk(builders...).Exec(ctx)
	})
}

// reviewText writes a title and body whose tone matches the stars and which mention the
// product's noun, material and use, the way real reviews do.
func reviewText(rng *rand.Rand, p *productRow, stars int) (title, body string) {
	uses := distinctUses(rng, p.vocab.uses)
	vars := append(pronouns(p.noun), "noun", textNoun(p.noun), "material", p.material,
		"use", uses[0], "use2", uses[1], "duration", pick(rng, durations))
	title = fill(pick(rng, reviewTitles[stars]), vars...)
	opening := fill(pick(rng, reviewOpenings[stars]), vars...)
	// Some reviewers write a single line.
	if rng.IntN(10) == 0 {
		return title, opening
	}
	parts := []string{opening}
	details := reviewDetails[stars]
	first := rng.IntN(len(details))
	parts = append(parts, fill(details[first], vars...))
	if rng.IntN(3) == 0 {
		// A second detail talks about yet another use; fill takes the first match.
		second := details[(first+1+rng.IntN(len(details)-1))%len(details)]
		parts = append(parts, fill(second, append([]string{"use2", uses[2]}, vars...)...))
	}
	if rng.IntN(2) == 0 {
		parts = append(parts, fill(pick(rng, reviewExtras[stars]), vars...))
	}
	parts = append(parts, fill(pick(rng, reviewClosings[stars]), vars...))
	body = strings.Join(parts, " ")
	if rng.IntN(8) == 0 {
		later := append([]string{"duration", pick(rng, durations)}, vars...)
		body += "\n\n" + fill(pick(rng, reviewUpdates[stars]), later...)
	}
	return title, body
}

// distinctUses returns three uses in random order, distinct as far as the list allows, so a
// review that mentions several does not repeat itself.
func distinctUses(rng *rand.Rand, uses []string) [3]string {
	perm := rng.Perm(len(uses))
	var out [3]string
	for i := range out {
		out[i] = uses[perm[i%len(perm)]]
	}
	return out
}
