package graph_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/relay"
)

// Review pages read only the review and author columns the operation shows (graph/columns.go):
// whatever the selection, every field answers its stored value, through fragments and aliases too.
func TestReviewPageAuthorsShowTheirColumns(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin := e.asUser(t, e.fx.users[0])
		byID := map[string]int{}
		for i, u := range e.fx.users {
			byID[relay.Encode(u.ID)] = i
		}
		type author struct {
			ID          string     `json:"id"`
			DisplayName string     `json:"displayName"`
			Name        string     `json:"name"`
			CreatedAt   *time.Time `json:"createdAt"`
			UpdatedAt   *time.Time `json:"updatedAt"`
			Email       *string    `json:"email"`
			Role        *string    `json:"role"`
		}
		pages := func(t *testing.T, query string) []author {
			var out struct {
				Products struct {
					Edges []struct {
						Node struct {
							Reviews struct {
								Edges []struct {
									Node struct {
										Title     string     `json:"title"`
										Body      string     `json:"body"`
										UpdatedAt *time.Time `json:"updatedAt"`
										Author    author
									}
								}
							}
						}
					}
				}
			}
			admin.MustData(t, &out, query, nil)
			var got []author
			for _, p := range out.Products.Edges {
				for _, r := range p.Node.Reviews.Edges {
					got = append(got, r.Node.Author)
					if r.Node.UpdatedAt != nil { // the fragment's review fields
						stored := e.fx.reviews[byID[r.Node.Author.ID]]
						require.Equal(t, stored.Title, r.Node.Title)
						require.Equal(t, stored.Body, r.Node.Body)
						require.WithinDuration(t, stored.UpdatedAt, *r.Node.UpdatedAt, time.Microsecond)
					}
				}
			}
			require.Len(t, got, len(e.fx.users), "every fixture review is on the first product")
			return got
		}
		const page = `{ products(first: 30, orderBy: {field: CREATED_AT}) { edges { node { reviews(first: 10) { edges { node { %s author { %s } } } } } } } }`

		for _, a := range pages(t, fmt.Sprintf(page, "", "id name: displayName")) {
			u := e.fx.users[byID[a.ID]]
			require.Equal(t, u.DisplayName, a.Name)
			require.Nil(t, a.Email)
		}
		for _, a := range pages(t, fmt.Sprintf(page, "...R", "id displayName ...F")+
			` fragment F on User { createdAt updatedAt email role } fragment R on Review { title body updatedAt }`) {
			u := e.fx.users[byID[a.ID]]
			require.Equal(t, u.DisplayName, a.DisplayName)
			require.NotNil(t, a.CreatedAt)
			// Postgres keeps microseconds.
			require.WithinDuration(t, u.CreatedAt, *a.CreatedAt, time.Microsecond)
			require.WithinDuration(t, u.UpdatedAt, *a.UpdatedAt, time.Microsecond)
			require.NotNil(t, a.Email, "the admin sees e-mails")
			require.Equal(t, u.Email, *a.Email)
			require.Equal(t, string(u.Role), *a.Role)
		}
	})
}
