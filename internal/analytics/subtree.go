package analytics

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
)

// SubtreeTotals returns, for each root category, the totals over the root and all its
// descendants, in one statement: a recursive CTE maps every category to the roots above it,
// and three grouped aggregates (products, the rating counters, the review counters) are unioned;
// on Postgres the rating and review totals are read from the rollups' all-time rows instead.
func (a *Analytics) SubtreeTotals(ctx context.Context, roots []int) (map[int]CategoryTotals, error) {
	out := make(map[int]CategoryTotals, len(roots))
	if len(roots) == 0 {
		return out, nil
	}
	b := &sql.Builder{}
	b.SetDialect(a.dialect)
	b.WriteString("WITH RECURSIVE tree(root, id) AS (SELECT id, id FROM categories WHERE id IN (")
	b.Args(ent.Args(roots)...)
	b.WriteString(") UNION ALL SELECT tree.root, c.id FROM categories c JOIN tree ON c.parent_id = tree.id), " +
		"scope AS (SELECT tree.root, p.id FROM tree JOIN products p ON p.category_id = tree.id) " +
		"SELECT scope.root, 'p', COUNT(*), 0, 0, 0, 0, 0 FROM scope GROUP BY scope.root ")
	if a.dialect == dialect.Postgres {
		// The subtrees' rating and review totals are their rollups' all-time rows (and the
		// deltas not yet folded into them).
		in := func() { b.Args(ent.Args(roots)...) }
		b.WriteString("UNION ALL SELECT scope_id, 'r', 0, SUM(n1), SUM(n2), SUM(n3), SUM(n4), SUM(n5) FROM " + ratingRollupsNow + " u " +
			"WHERE hour = '-infinity' AND scope_id IN (")
		in()
		b.WriteString(") GROUP BY scope_id UNION ALL SELECT scope_id, 'v', SUM(n), 0, 0, 0, 0, 0 FROM " + reviewRollupsNow + " u " +
			"WHERE hour = '-infinity' AND scope_id IN (")
		in()
		b.WriteString(") GROUP BY scope_id")
	} else {
		b.WriteString("UNION ALL SELECT scope.root, 'r', 0, SUM(c.n1), SUM(c.n2), SUM(c.n3), SUM(c.n4), SUM(c.n5) " +
			"FROM scope JOIN product_rating_stats c ON c.product_id = scope.id GROUP BY scope.root " +
			"UNION ALL SELECT scope.root, 'v', SUM(v.n), 0, 0, 0, 0, 0 FROM scope JOIN product_review_stats v ON v.product_id = scope.id GROUP BY scope.root")
	}
	query, args := b.Query()
	rows, err := a.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("subtree totals: %w", err)
	}
	defer rows.Close()
	for _, id := range roots {
		out[id] = CategoryTotals{}
	}
	for rows.Next() {
		var (
			root, n int
			kind    string
			counts  Stats
		)
		if err := scanCounts(rows, &counts, &root, &kind, &n); err != nil {
			return nil, fmt.Errorf("subtree totals: %w", err)
		}
		t := out[root]
		switch kind {
		case "p":
			t.ProductCount = n
		case "r":
			t.Ratings = counts
		case "v":
			t.ReviewCount = n
		}
		out[root] = t
	}
	return out, rows.Err()
}
