package analytics

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"
)

// SubtreeTotals returns, for each root category, the totals over the root and all its
// descendants, in one statement: a recursive CTE maps every category to the roots above it,
// and three grouped aggregates (products, ratings by stars, reviews) are unioned.
func (a *Analytics) SubtreeTotals(ctx context.Context, roots []int) (map[int]CategoryTotals, error) {
	out := make(map[int]CategoryTotals, len(roots))
	if len(roots) == 0 {
		return out, nil
	}
	b := &sql.Builder{}
	b.SetDialect(a.dialect)
	b.WriteString("WITH RECURSIVE tree(root, id) AS (SELECT id, id FROM categories WHERE id IN (")
	for i, id := range roots {
		if i > 0 {
			b.Comma()
		}
		b.Arg(id)
	}
	b.WriteString(") UNION ALL SELECT tree.root, c.id FROM categories c JOIN tree ON c.parent_id = tree.id), " +
		"scope AS (SELECT tree.root, p.id FROM tree JOIN products p ON p.category_id = tree.id) " +
		"SELECT scope.root, 'p', 0, COUNT(*) FROM scope GROUP BY scope.root " +
		"UNION ALL SELECT scope.root, 'r', r.stars, COUNT(*) FROM scope JOIN ratings r ON r.product_id = scope.id GROUP BY scope.root, r.stars " +
		"UNION ALL SELECT scope.root, 'v', 0, COUNT(*) FROM scope JOIN reviews v ON v.product_id = scope.id GROUP BY scope.root")
	query, args := b.Query()
	rows, err := a.db(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("subtree totals: %w", err)
	}
	defer rows.Close()
	for _, id := range roots {
		out[id] = CategoryTotals{}
	}
	for rows.Next() {
		var (
			root, stars, n int
			kind           string
		)
		if err := rows.Scan(&root, &kind, &stars, &n); err != nil {
			return nil, fmt.Errorf("subtree totals: %w", err)
		}
		t := out[root]
		switch kind {
		case "p":
			t.ProductCount = n
		case "r":
			t.Ratings.add(stars, n)
		case "v":
			t.ReviewCount = n
		}
		out[root] = t
	}
	return out, rows.Err()
}
