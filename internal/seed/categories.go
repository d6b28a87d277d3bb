package seed

import (
	"context"
	"strconv"
	"time"

	"github.com/vitrinehq/vitrine/ent"
)

// catNode is a planned category. Only leaves (level 2) carry vocab and receive products.
type catNode struct {
	name   string
	level  int // 0 department, 1 subcategory, 2 leaf
	parent int // index into the plan; -1 for departments
	dept   *department
	sub    *subcategory
	vocab  *leafVocab
}

// leafCategory is an inserted leaf category that products can be filed under.
type leafCategory struct {
	id    int
	name  string
	dept  *department
	sub   *subcategory
	vocab *leafVocab
}

// categoryColumns is the number of values a category row binds: created_at, updated_at,
// name, slug, parent_id.
const categoryColumns = 5

// vocabCategoryCount is the size of the built-in tree.
func vocabCategoryCount() int {
	n := len(departments)
	for _, d := range departments {
		n += len(d.subs)
		for _, s := range d.subs {
			n += len(s.leaves)
		}
	}
	return n
}

// maxCategories is the built-in tree plus one qualified variant of every leaf per qualifier.
func maxCategories() int {
	leaves := 0
	for _, d := range departments {
		for _, s := range d.subs {
			leaves += len(s.leaves)
		}
	}
	return vocabCategoryCount() + leaves*len(qualifiers)
}

// planCategories chooses n categories. Each department first gets a subcategory and a leaf, so
// the tree is three levels deep as early as possible; then departments take turns adding
// their next category depth-first, so a small tree is still balanced; past the built-in tree,
// qualified leaves ("Travel Tents") fill in.
func planCategories(n int) []catNode {
	queues := make([][]catNode, len(departments))
	for i := range departments {
		queues[i] = departmentQueue(&departments[i])
	}
	plan := make([]catNode, 0, n)
	// lastOf tracks the plan index of each department's newest department or subcategory
	// node, which is the parent of the queue's next child.
	lastOf := make([][2]int, len(departments))
	take := func(d int) {
		node := queues[d][0]
		queues[d] = queues[d][1:]
		node.parent = -1
		if node.level > 0 {
			node.parent = lastOf[d][node.level-1]
		}
		if node.level < 2 {
			lastOf[d][node.level] = len(plan)
		}
		plan = append(plan, node)
	}
	for d := range departments {
		if n-len(plan) >= 3 {
			take(d)
			take(d)
			take(d)
		}
	}
	for progress := true; progress && len(plan) < n; {
		progress = false
		for d := range departments {
			if len(plan) < n && len(queues[d]) > 0 {
				take(d)
				progress = true
			}
		}
	}
	return appendQualified(plan, n)
}

// departmentQueue lists a department's categories depth-first.
func departmentQueue(d *department) []catNode {
	q := []catNode{{name: d.name, level: 0, dept: d}}
	for i := range d.subs {
		s := &d.subs[i]
		q = append(q, catNode{name: s.name, level: 1, dept: d, sub: s})
		for j := range s.leaves {
			q = append(q, catNode{name: s.leaves[j].name, level: 2, dept: d, sub: s, vocab: &s.leaves[j]})
		}
	}
	return q
}

// appendQualified adds qualified siblings of the built-in leaves until the plan has n nodes.
func appendQualified(plan []catNode, n int) []catNode {
	base := len(plan)
	for _, q := range qualifiers {
		for i := 0; i < base && len(plan) < n; i++ {
			if leaf := plan[i]; leaf.level == 2 {
				leaf.name = q + " " + leaf.name
				plan = append(plan, leaf)
			}
		}
	}
	return plan
}

// loadCategories inserts the planned tree a level at a time, since children need their
// parent's ID, and remembers the leaves for product placement.
func (l *loader) loadCategories(ctx context.Context) (int, error) {
	plan := planCategories(l.opts.Categories)
	slugs := categorySlugs(plan)
	ids := make([]int, len(plan))
	for level := range 3 {
		var idx []int
		for i, node := range plan {
			if node.level == level {
				idx = append(idx, i)
			}
		}
		err := inBatches(len(idx), categoryColumns, func(lo, hi int) error {
			builders := make([]*ent.CategoryCreate, 0, hi-lo)
			for _, i := range idx[lo:hi] {
				// Categories predate every product; a minute apart keeps their order readable.
				at := l.start.Add(time.Duration(i) * time.Minute)
				b := l.client.Category.Create().SetName(plan[i].name).SetSlug(slugs[i]).
					SetCreatedAt(at).SetUpdatedAt(at)
				if p := plan[i].parent; p >= 0 {
					b.SetParentID(ids[p])
				}
				builders = append(builders, b)
			}
			created, err := l.client.Category.CreateBulk(builders...).Save(ctx)
			for k, c := range created {
				ids[idx[lo+k]] = c.ID
			}
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	for i, node := range plan {
		if node.level == 2 {
			l.leaves = append(l.leaves, leafCategory{id: ids[i], name: node.name, dept: node.dept, sub: node.sub, vocab: node.vocab})
		}
	}
	return len(plan), nil
}

// categorySlugs derives a unique slug per node: the name alone where it is free, else
// qualified by the parent's slug ("apparel-accessories"), else numbered.
func categorySlugs(plan []catNode) []string {
	slugs := make([]string, len(plan))
	used := make(map[string]bool, len(plan))
	for i, node := range plan {
		s := slugify(node.name)
		if used[s] && node.parent >= 0 {
			s = slugs[node.parent] + "-" + s
		}
		for n := 2; used[s]; n++ {
			s = slugify(node.name) + "-" + strconv.Itoa(n)
		}
		used[s] = true
		slugs[i] = s
	}
	return slugs
}
