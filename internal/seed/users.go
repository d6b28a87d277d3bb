package seed

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/user"
)

// userColumns is the number of values a user row binds: created_at, updated_at, email,
// display_name, password_hash, role.
const userColumns = 6

// noLoginHash is stored as every demo user's password hash. It is not in any hash format, so
// no password verifies against it and nobody can sign in as a seeded shopper.
const noLoginHash = "!demo-no-login"

// userRow is what the review and rating phases need to know about an inserted user.
type userRow struct {
	id      int
	created time.Time
}

// loadUsers inserts shoppers (never admins) in sign-up order.
func (l *loader) loadUsers(ctx context.Context) (int, error) {
	n := l.opts.Users
	if n == 0 {
		return 0, nil
	}
	rng := newRand(l.opts.Seed, streamUsers)
	span := float64(l.now.Sub(l.start) / time.Second)
	created := make([]time.Time, n)
	for i := range created {
		// Squaring skews sign-ups early, so most shoppers have had time to review things.
		u := rng.Float64()
		created[i] = l.start.Add(time.Duration(math.Floor(u*u*span)) * time.Second)
	}
	slices.SortFunc(created, time.Time.Compare)
	l.users = make([]userRow, n)
	err := inBatches(n, userColumns, func(lo, hi int) error {
		builders := make([]*ent.UserCreate, 0, hi-lo)
		for i := lo; i < hi; i++ {
			first, last := pick(rng, firstNames), pick(rng, lastNames)
			// The sequence number makes emails unique however often names repeat.
			email := strings.ToLower(first+"."+last) + strconv.Itoa(i+1) + "@example.com"
			builders = append(builders, l.client.User.Create().
				SetEmail(email).SetDisplayName(first+" "+last).SetPasswordHash(noLoginHash).
				SetRole(user.RoleUSER).SetCreatedAt(created[i]).SetUpdatedAt(created[i]))
		}
		users, err := l.client.User.CreateBulk(builders...).Save(ctx)
		for k, u := range users {
			l.users[lo+k] = userRow{id: u.ID, created: created[lo+k]}
		}
		return err
	})
	return n, err
}
