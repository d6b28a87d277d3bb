package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/loader"
)

// primed primes the batch loaders with the catalog objects a resolver returns (primeLoaders)
// and hands its result on. Resolvers that produce catalog objects call it where they produce
// them, so a field that is a plain value costs nothing here.
func primed[T any](ctx context.Context, res T, err error) (T, error) {
	if err == nil {
		primeLoaders(ctx, graphql.GetFieldContext(ctx), res)
	}
	return res, err
}

// primeLoaders makes batching deterministic. When a resolver returns catalog objects, it walks
// them together with the query's selection — through the edges entgql eager-loaded — collects
// every key a batched field will ask for (a field the schema marks @batch(loader:), and the
// first pages of Product.reviews), and hands each loader all its keys at once. The per-object resolvers then find their values in the
// loader's cache, so a request costs one grouped query per field however many objects it
// returns, independent of goroutine timing.
func primeLoaders(ctx context.Context, fc *graphql.FieldContext, res any) {
	l := loader.FromContext(ctx)
	if l == nil || fc == nil {
		return
	}
	p := &primer{oc: graphql.GetOperationContext(ctx)}
	sel := fc.Field.Selections
	// A nullable field resolves to a typed nil: nothing to prime.
	switch v := res.(type) {
	case *ent.ProductConnection:
		if v != nil {
			p.products(p.nodes(sel), connNodes(v.Edges, func(e *ent.ProductEdge) *ent.Product { return e.Node }))
		}
	case *ent.ReviewConnection:
		if v != nil {
			p.reviews(p.nodes(sel), connNodes(v.Edges, func(e *ent.ReviewEdge) *ent.Review { return e.Node }))
		}
	case *ent.CategoryConnection:
		if v != nil {
			p.categories(p.nodes(sel), connNodes(v.Edges, func(e *ent.CategoryEdge) *ent.Category { return e.Node }))
		}
	case *ent.Product:
		p.products(sel, one(v))
	case *ent.Category:
		p.categories(sel, one(v))
	case []*ent.Category:
		p.categories(sel, v)
	case *ent.User:
		p.users(sel, one(v))
	default:
		return
	}
	p.load(ctx, l)
}

// one is the list of v, empty when v is nil.
func one[T any](v *T) []*T {
	if v == nil {
		return nil
	}
	return []*T{v}
}

func connNodes[E any, N any](edges []*E, node func(*E) *N) []*N {
	out := make([]*N, 0, len(edges))
	for _, e := range edges {
		if n := node(e); n != nil {
			out = append(out, n)
		}
	}
	return out
}

// primer collects the keys of one walk.
type primer struct {
	oc *graphql.OperationContext
	// ids holds the object IDs for each of loader's ID-keyed loaders, by its Batch index.
	ids         [loader.Batched][]int
	reviewPages []catalog.ReviewPageKey
}

// load starts every loader's batch with all its keys; it does not wait for the results.
func (p *primer) load(ctx context.Context, l *loader.Loaders) {
	for i, ids := range p.ids {
		l.Prime(ctx, i, ids)
	}
	if len(p.reviewPages) > 0 {
		l.ReviewPages.LoadAllThunk(ctx, p.reviewPages)
	}
}

// batch collects the IDs of xs when the schema declares f batched (@batch(loader:)) and
// reports whether it did.
func batch[T any](p *primer, f graphql.CollectedField, xs []*T, id func(*T) int) bool {
	i, ok := batchOf(f.Definition)
	if ok {
		p.ids[i] = appendIDs(p.ids[i], xs, id)
	}
	return ok
}

// batchOf returns the Batch index of the loader a field's @batch directive names.
func batchOf(def *ast.FieldDefinition) (int, bool) {
	if def == nil {
		return 0, false
	}
	d := def.Directives.ForName("batch")
	if d == nil {
		return 0, false
	}
	arg := d.Arguments.ForName("loader")
	if arg == nil || arg.Value == nil {
		return 0, false
	}
	return loader.Batch(arg.Value.Raw)
}

func (p *primer) fields(sel ast.SelectionSet) []graphql.CollectedField {
	return graphql.CollectFields(p.oc, sel, nil)
}

// nodes returns the selection under edges { node { … } } of a connection selection.
func (p *primer) nodes(sel ast.SelectionSet) ast.SelectionSet {
	var out ast.SelectionSet
	for _, edges := range p.fields(sel) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range p.fields(edges.Selections) {
			if node.Name == "node" {
				out = append(out, node.Selections...)
			}
		}
	}
	return out
}

func (p *primer) products(sel ast.SelectionSet, ps []*ent.Product) {
	if len(ps) == 0 || len(sel) == 0 {
		return
	}
	for _, f := range p.fields(sel) {
		if batch(p, f, ps, productID) {
			continue
		}
		switch f.Name {
		case "category":
			p.categories(f.Selections, edgeOne(ps, func(x *ent.Product) (*ent.Category, error) { return x.Edges.CategoryOrErr() }))
		case "reviews":
			p.productReviewPages(f, ps)
		}
	}
}

func (p *primer) reviews(sel ast.SelectionSet, rs []*ent.Review) {
	if len(rs) == 0 || len(sel) == 0 {
		return
	}
	for _, f := range p.fields(sel) {
		switch f.Name {
		case "author":
			p.users(f.Selections, edgeOne(rs, func(x *ent.Review) (*ent.User, error) { return x.Edges.AuthorOrErr() }))
		case "product":
			p.products(f.Selections, edgeOne(rs, func(x *ent.Review) (*ent.Product, error) { return x.Edges.ProductOrErr() }))
		}
	}
}

func (p *primer) categories(sel ast.SelectionSet, cs []*ent.Category) {
	if len(cs) == 0 || len(sel) == 0 {
		return
	}
	for _, f := range p.fields(sel) {
		if batch(p, f, cs, categoryID) {
			continue
		}
		switch f.Name {
		case "parent":
			p.categories(f.Selections, edgeOne(cs, func(x *ent.Category) (*ent.Category, error) { return x.Edges.ParentOrErr() }))
		case "children":
			p.categories(f.Selections, edgeMany(cs, func(x *ent.Category) ([]*ent.Category, error) { return x.NamedChildren(f.Alias) }))
		case "products":
			p.products(p.nodes(f.Selections), edgeMany(cs, func(x *ent.Category) ([]*ent.Product, error) { return x.NamedProducts(f.Alias) }))
		}
	}
}

func (p *primer) users(sel ast.SelectionSet, us []*ent.User) {
	if len(us) == 0 || len(sel) == 0 {
		return
	}
	for _, f := range p.fields(sel) {
		if batch(p, f, us, userID) {
			continue
		}
		switch f.Name {
		case "reviews":
			p.reviews(p.nodes(f.Selections), edgeMany(us, func(x *ent.User) ([]*ent.Review, error) { return x.NamedReviews(f.Alias) }))
		}
	}
}

// edgeOne gathers a unique edge that entgql eager-loaded; objects whose edge was not loaded are
// skipped (their field resolvers load them, and prime again).
func edgeOne[P any, C any](parents []*P, get func(*P) (*C, error)) []*C {
	var out []*C
	for _, x := range parents {
		if c, err := get(x); err == nil && c != nil {
			out = append(out, c)
		}
	}
	return out
}

// edgeMany gathers a list edge that entgql eager-loaded under its alias.
func edgeMany[P any, C any](parents []*P, get func(*P) ([]*C, error)) []*C {
	var out []*C
	for _, x := range parents {
		if cs, err := get(x); err == nil {
			out = append(out, cs...)
		}
	}
	return out
}

func appendIDs[T any](ids []int, xs []*T, id func(*T) int) []int {
	for _, x := range xs {
		ids = append(ids, id(x))
	}
	return ids
}

func productID(p *ent.Product) int   { return p.ID }
func categoryID(c *ent.Category) int { return c.ID }
func userID(u *ent.User) int         { return u.ID }
