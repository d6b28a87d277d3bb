package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"entgo.io/ent/dialect"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/relay"
)

const (
	maxQueryLen   = 200
	maxQueryTerms = 16
	// maxSearchOffset bounds how deep a client can page into a relevance-ordered result;
	// relevance pages past this are noise and cost the database a large OFFSET.
	maxSearchOffset = 10000
)

// Terms splits a search query into words: runs of letters and digits. Everything else —
// quotes, operators, SQL or FTS syntax — is a separator, so no input can be a syntax error.
func Terms(query string) []string {
	return strings.FieldsFunc(strings.ToLower(query), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// Search returns products matching every word of query, most relevant first. Relevance is the
// database's own: ts_rank_cd over a weighted tsvector on Postgres, bm25 on SQLite FTS5, both
// weighting the name above the description. Cursors encode the offset into the ranking.
func (c *Catalog) Search(ctx context.Context, query string, first int, after *relay.Cursor) (*ent.ProductConnection, error) {
	if len(query) > maxQueryLen {
		return nil, apperr.InvalidField("query", "query must be at most %d bytes", maxQueryLen)
	}
	terms := Terms(query)
	if len(terms) == 0 {
		return nil, apperr.InvalidField("query", "query must contain at least one letter or digit")
	}
	if len(terms) > maxQueryTerms {
		terms = terms[:maxQueryTerms]
	}
	offset := 0
	if after != nil {
		n, ok := searchOffset(after)
		if !ok {
			return nil, apperr.InvalidField("after", "cursor does not come from a search result")
		}
		offset = n + 1
	}
	ids, total, err := c.searchIDs(ctx, terms, offset, first)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return c.searchConnection(ctx, ids, total, offset)
}

func searchOffset(c *relay.Cursor) (int, bool) {
	var n int64
	switch v := c.Value.(type) {
	case int8:
		n = int64(v)
	case int16:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case uint8:
		n = int64(v)
	case uint16:
		n = int64(v)
	case uint32:
		n = int64(v)
	default:
		return 0, false
	}
	return int(n), n >= 0 && n < maxSearchOffset
}

func (c *Catalog) searchIDs(ctx context.Context, terms []string, offset, limit int) ([]int, int, error) {
	var match, count, page string
	var arg string
	if c.dialect == dialect.Postgres {
		// plainto_tsquery ANDs the words and applies the english stemmer and stop words.
		arg = strings.Join(terms, " ")
		match = `search_vector @@ plainto_tsquery('english', $1)`
		count = `SELECT count(*) FROM products WHERE ` + match
		page = `SELECT id FROM products WHERE ` + match +
			` ORDER BY ts_rank_cd(search_vector, plainto_tsquery('english', $1)) DESC, id LIMIT $2 OFFSET $3`
	} else {
		// Each term quoted is an FTS5 string, so nothing in it is read as syntax; juxtaposed
		// strings are ANDed. bm25 is lower-is-better; the name column weighs 10x.
		quoted := make([]string, len(terms))
		for i, t := range terms {
			quoted[i] = `"` + t + `"`
		}
		arg = strings.Join(quoted, " ")
		match = `products_fts MATCH ?`
		count = `SELECT count(*) FROM products_fts WHERE ` + match
		page = `SELECT rowid FROM products_fts WHERE ` + match +
			` ORDER BY bm25(products_fts, 10.0, 1.0), rowid LIMIT ? OFFSET ?`
	}
	db := c.client.For(ctx)
	total, err := scanCount(db.QueryContext(ctx, count, arg))
	if err != nil {
		return nil, 0, err
	}
	if limit == 0 || offset >= total {
		return nil, total, nil
	}
	rows, err := db.QueryContext(ctx, page, arg, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ids := make([]int, 0, limit)
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	return ids, total, rows.Err()
}

// scanCount reads the single integer of a COUNT query.
func scanCount(rows *sql.Rows, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// searchConnection loads the ranked products (with what the selection needs) and keeps
// the ranking's order.
func (c *Catalog) searchConnection(ctx context.Context, ids []int, total, offset int) (*ent.ProductConnection, error) {
	conn := &ent.ProductConnection{Edges: []*ent.ProductEdge{}, TotalCount: total}
	conn.PageInfo.HasPreviousPage = offset > 0
	conn.PageInfo.HasNextPage = offset+len(ids) < total
	if len(ids) == 0 {
		return conn, nil
	}
	byID, err := ProductsByID(ctx, c.client.For(ctx), ids)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for i, id := range ids {
		p, ok := byID[id]
		if !ok {
			continue // deleted between the two queries
		}
		conn.Edges = append(conn.Edges, &ent.ProductEdge{
			Node:   p,
			Cursor: relay.Cursor{ID: id, Value: int64(offset + i)},
		})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}
