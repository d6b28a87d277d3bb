package catalog

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/ent/user"
)

// ReviewPageKey names the first page of one product's reviews in one ordering.
type ReviewPageKey struct {
	ProductID int
	First     int
	// Column is review.FieldCreatedAt or review.FieldUpdatedAt.
	Column string
	Desc   bool
}

// FirstReviewPageKey returns the key of a first-page request, or false when the request needs
// the general path (a cursor, a filter, last, or an ordering other than by time).
func FirstReviewPageKey(productID int, after *ent.Cursor, first *int, before *ent.Cursor, last *int, orderBy *ent.ReviewOrder, where *ent.ReviewWhereInput) (ReviewPageKey, bool) {
	if after != nil || before != nil || last != nil || where != nil || first == nil || orderBy == nil || orderBy.Field == nil {
		return ReviewPageKey{}, false
	}
	key := ReviewPageKey{ProductID: productID, First: *first, Desc: orderBy.Direction == "DESC"}
	switch orderBy.Field.String() {
	case "CREATED_AT":
		key.Column = review.FieldCreatedAt
	case "UPDATED_AT":
		key.Column = review.FieldUpdatedAt
	default:
		return ReviewPageKey{}, false
	}
	return key, true
}

// PageColumns are the columns review pages read: of the reviews and of their authors. nil reads
// every column a field may show (all but the authors' password hash).
type PageColumns struct {
	Reviews, Authors []string
}

// ReviewPages returns the loader of first review pages reading cols, besides those a page is
// built from (the ids, the product and author references, the order column). For every key it
// loads up to First+1 reviews of the product in order (the extra one tells whether there is a
// next page), with their authors. Keys that share a page shape are one statement: on Postgres a
// LATERAL index scan per product, which reads only the rows it returns; on SQLite a window
// function. A page reads hundreds of reviews and authors, and decoding their timestamps and
// strings is a good part of a request's cost, so a request that shows only titles and names
// reads only those.
func (c *Catalog) ReviewPages(cols PageColumns) func(context.Context, []ReviewPageKey) (map[ReviewPageKey][]*ent.Review, error) {
	return func(ctx context.Context, keys []ReviewPageKey) (map[ReviewPageKey][]*ent.Review, error) {
		return c.firstReviewPages(ctx, keys, cols)
	}
}

// with returns cols with each of extra added, unless cols is nil (every column).
func with(cols []string, extra ...string) []string {
	if cols == nil {
		return nil
	}
	out := slices.Clone(cols)
	for _, e := range extra {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func (c *Catalog) firstReviewPages(ctx context.Context, keys []ReviewPageKey, cols PageColumns) (map[ReviewPageKey][]*ent.Review, error) {
	authorCols := authorColumns
	if cols.Authors != nil {
		authorCols = with(cols.Authors, user.FieldID)
	}
	type shape struct {
		first  int
		column string
		desc   bool
	}
	groups := map[shape][]int{}
	for _, k := range keys {
		s := shape{k.First, k.Column, k.Desc}
		groups[s] = append(groups[s], k.ProductID)
	}
	out := make(map[ReviewPageKey][]*ent.Review, len(keys))
	var all []*ent.Review
	for s, ids := range groups {
		q := c.client.For(ctx).Review.Query().Where(c.firstPerProduct(ids, s.first+1, s.column, s.desc))
		if rc := with(cols.Reviews, review.FieldID, review.FieldProductID, review.FieldAuthorID, s.column); rc != nil {
			q.Select(rc...)
		}
		rows, err := q.All(ctx)
		if err != nil {
			return nil, fmt.Errorf("review pages: %w", err)
		}
		all = append(all, rows...)
		sortReviews(rows, s.column, s.desc)
		for _, r := range rows {
			k := ReviewPageKey{ProductID: r.ProductID, First: s.first, Column: s.column, Desc: s.desc}
			out[k] = append(out[k], r)
		}
		for _, id := range ids {
			k := ReviewPageKey{ProductID: id, First: s.first, Column: s.column, Desc: s.desc}
			if _, ok := out[k]; !ok {
				out[k] = nil
			}
		}
	}
	if err := c.loadAuthors(ctx, all, authorCols); err != nil {
		return nil, err
	}
	return out, nil
}

// loadAuthors sets the author edge of every review, reading their users in one statement: on
// Postgres with the IDs as one array parameter (a page's hundreds of authors cost one bind
// value, not one each), elsewhere as an IN list.
func (c *Catalog) loadAuthors(ctx context.Context, rows []*ent.Review, cols []string) error {
	if len(rows) == 0 {
		return nil
	}
	seen := make(map[int]bool, len(rows))
	ids := make([]int, 0, len(rows))
	for _, r := range rows {
		if !seen[r.AuthorID] {
			seen[r.AuthorID] = true
			ids = append(ids, r.AuthorID)
		}
	}
	q := c.client.For(ctx).User.Query().Select(cols...)
	if c.dialect == dialect.Postgres {
		q.Where(func(s *entsql.Selector) {
			s.Where(entsql.P(func(b *entsql.Builder) {
				b.Ident(s.C(user.FieldID)).WriteString(" = ANY(").Arg(int64Array(ids)).WriteString(")")
			}))
		})
	} else {
		q.Where(func(s *entsql.Selector) { s.Where(entsql.In(s.C(user.FieldID), ent.Args(ids)...)) })
	}
	users, err := q.All(ctx)
	if err != nil {
		return fmt.Errorf("review pages: authors: %w", err)
	}
	byID := make(map[int]*ent.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	for _, r := range rows {
		r.SetAuthorEdge(byID[r.AuthorID])
	}
	return nil
}

// int64Array is ids as one Postgres array parameter.
func int64Array(ids []int) pq.Int64Array {
	out := make(pq.Int64Array, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// authorColumns are the users' columns review pages read authors with by default: all but the
// password hash, which no field shows and which is the widest column of a user's row.
var authorColumns = func() []string {
	var cols []string
	for _, c := range user.Columns {
		if c != user.FieldPasswordHash {
			cols = append(cols, c)
		}
	}
	return cols
}()

// firstPerProduct is "id IN (the first n reviews of each product)" in the pager's order:
// the column, then id in the same direction.
func (c *Catalog) firstPerProduct(ids []int, n int, column string, desc bool) func(*entsql.Selector) {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	order := column + " " + dir + ", id " + dir
	return func(s *entsql.Selector) {
		s.Where(entsql.P(func(b *entsql.Builder) {
			b.Ident(s.C(review.FieldID))
			if c.dialect == dialect.Postgres {
				b.WriteString(" IN (SELECT r.id FROM unnest(").Arg(int64Array(ids)).
					WriteString("::bigint[]) AS p(id) CROSS JOIN LATERAL (SELECT id FROM reviews WHERE product_id = p.id ORDER BY " + order + " LIMIT ").
					Arg(n).WriteString(") r)")
				return
			}
			b.WriteString(" IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY " + order + ") AS rn FROM reviews WHERE product_id IN (")
			b.Args(ent.Args(ids)...)
			b.WriteString(")) WHERE rn <= ").Arg(n).WriteString(")")
		}))
	}
}

// sortReviews orders one statement's rows like the pager: by the column, then by id, in the
// same direction. Each product's rows are few (at most a page).
func sortReviews(rows []*ent.Review, column string, desc bool) {
	at := func(r *ent.Review) int64 {
		if column == review.FieldUpdatedAt {
			return r.UpdatedAt.UnixNano()
		}
		return r.CreatedAt.UnixNano()
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if at(a) != at(b) {
			return (at(a) > at(b)) == desc
		}
		return (a.ID > b.ID) == desc
	})
}

// ReviewConnection builds the first page of a product's reviews from ReviewPages' rows,
// with the cursors entgql's Paginate would give them so clients can page on with after.
func ReviewConnection(p *ent.Product, rows []*ent.Review, first int, orderBy *ent.ReviewOrder) *ent.ReviewConnection {
	conn := &ent.ReviewConnection{Edges: []*ent.ReviewEdge{}}
	if len(rows) > first {
		rows = rows[:first]
		conn.PageInfo.HasNextPage = true
	}
	for _, r := range rows {
		r.Edges.Product = p
		conn.Edges = append(conn.Edges, r.ToEdge(orderBy))
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn
}
