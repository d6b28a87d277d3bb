package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/ent/quiz"
	"github.com/vitrinehq/vitrine/ent/review"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/loader"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// The Apollo Federation 2 subgraph: gqlgen's federation plugin (gqlgen.yml) generates
// _service, _entities and the _Entity union in federation.go; this file decides who may call
// them and resolves entities in batches.

// FederationDisabled is the message of a document refused because it selects _entities or
// _service while the server is not a subgraph.
const FederationDisabled = "this server is not serving as an Apollo Federation subgraph: _entities and _service " +
	"are answered only with VITRINE_FEDERATION=true"

// ServiceIntrospectionDisabled is the message of a _service query refused because
// introspection is off: the subgraph's SDL is the whole schema.
const ServiceIntrospectionDisabled = "_service is schema introspection, which is disabled on this server; compose the " +
	"supergraph from the committed schema/subgraph.graphql (or turn VITRINE_INTROSPECTION on)"

// entityTypes are the types with @key(fields: "id") (ent/entc.go), which _entities resolves.
var entityTypes = map[string]bool{"Product": true, "Category": true, "Review": true, "User": true, "Quiz": true}

// SubgraphPolicy is the gqlgen extension that guards the federation root fields (see
// subgraphPolicy): federation says whether Vitrine serves as a subgraph, introspection whether
// _service may be answered.
func SubgraphPolicy(federation, introspection bool) graphql.HandlerExtension {
	return subgraphPolicy{federation: federation, introspection: introspection}
}

// subgraphPolicy guards the federation root fields before execution: without federation they
// are refused like unknown fields; _service follows the introspection setting; and every
// representation passed to _entities must name an entity type and carry an ID this API
// issued, so a malformed one is BAD_USER_INPUT rather than an internal error of the generated
// code.
type subgraphPolicy struct {
	federation, introspection bool
}

var _ graphql.OperationContextMutator = subgraphPolicy{}

// ExtensionName names the extension for gqlgen.
func (subgraphPolicy) ExtensionName() string { return "SubgraphPolicy" }

// Validate accepts every schema.
func (subgraphPolicy) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses the operation at its first offending federation field.
func (p subgraphPolicy) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return nil
	}
	var refusal *gqlerror.Error
	rootFields(oc.Doc, oc.Operation.SelectionSet, map[string]bool{}, func(f *ast.Field) bool {
		refusal = p.check(oc, f)
		return refusal == nil
	})
	return refusal
}

func (p subgraphPolicy) check(oc *graphql.OperationContext, f *ast.Field) *gqlerror.Error {
	if f.Name != "_entities" && f.Name != "_service" {
		return nil
	}
	if !p.federation {
		return validationError(f.Position, FederationDisabled)
	}
	if f.Name == "_service" {
		if !p.introspection {
			return validationError(f.Position, ServiceIntrospectionDisabled)
		}
		return nil
	}
	reps, _ := f.ArgumentMap(oc.Variables)["representations"].([]any)
	for i, rep := range reps {
		if err := checkRepresentation(rep); err != nil {
			return &gqlerror.Error{
				Message:   err.Error(),
				Locations: []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}},
				Err:       apperr.InvalidField(fmt.Sprintf("representations[%d]", i), "%s", err.Error()),
			}
		}
	}
	return nil
}

// checkRepresentation reports what is wrong with one _entities representation.
func checkRepresentation(rep any) error {
	m, ok := rep.(map[string]any)
	if !ok {
		return fmt.Errorf("a representation must be an object with __typename and id")
	}
	typ, _ := m["__typename"].(string)
	if !entityTypes[typ] {
		return fmt.Errorf("__typename must be one of the entity types (%s), got %q", entityList(), typ)
	}
	id, ok := m["id"].(string)
	if !ok {
		return fmt.Errorf("a %s representation needs its id (a string)", typ)
	}
	if _, err := relay.Decode(id); err != nil {
		if e, ok := apperr.As(err); ok {
			return fmt.Errorf("%s", e.Message)
		}
		return err
	}
	return nil
}

func entityList() string {
	return "Category, Product, Quiz, Review, User"
}

func validationError(pos *ast.Position, msg string) *gqlerror.Error {
	err := gqlerror.ErrorPosf(pos, "%s", msg)
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// rootFields calls visit with each root field of a selection set, fragments included, until
// visit returns false.
func rootFields(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool, visit func(*ast.Field) bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !visit(s) {
				return false
			}
		case *ast.InlineFragment:
			if !rootFields(doc, s.SelectionSet, seen, visit) {
				return false
			}
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil && !rootFields(doc, f.SelectionSet, seen, visit) {
				return false
			}
		}
	}
	return true
}

// byIDs resolves the representations of one entity type in an _entities call: load fetches
// every object with one query, walk primes the batched fields their selections ask for, and
// the result follows the representations' order.
func byIDs[R, T any](ctx context.Context, typeName string, reps []*R, repID func(*R) int,
	load func(context.Context, []int) ([]*T, error), id func(*T) int, walk func(*primer, ast.SelectionSet, []*T),
) ([]*T, error) {
	ids := make([]int, len(reps))
	for i, r := range reps {
		ids[i] = repID(r)
	}
	found, err := load(ctx, ids)
	if err != nil {
		return nil, err
	}
	if walk != nil {
		primeEntities(ctx, typeName, found, walk)
	}
	return entities(ids, found, id)
}

// The loaders of byIDs eager-load the edges the router selects (entgql's CollectFields), as
// the root queries do.

func (r *Resolver) productsByID(ctx context.Context, ids []int) ([]*ent.Product, error) {
	q, err := r.Client.Product.Query().Where(product.IDIn(ids...)).CollectFields(ctx, "Product")
	if err != nil {
		return nil, err
	}
	return q.All(ctx)
}

func (r *Resolver) categoriesByID(ctx context.Context, ids []int) ([]*ent.Category, error) {
	q, err := r.Client.Category.Query().Where(category.IDIn(ids...)).CollectFields(ctx, "Category")
	if err != nil {
		return nil, err
	}
	return q.All(ctx)
}

func (r *Resolver) reviewsByID(ctx context.Context, ids []int) ([]*ent.Review, error) {
	q, err := r.Client.Review.Query().Where(review.IDIn(ids...)).CollectFields(ctx, "Review")
	if err != nil {
		return nil, err
	}
	return q.All(ctx)
}

func (r *Resolver) usersByID(ctx context.Context, ids []int) ([]*ent.User, error) {
	q, err := r.Client.User.Query().Where(user.IDIn(ids...)).CollectFields(ctx, "User")
	if err != nil {
		return nil, err
	}
	return q.All(ctx)
}

// quizzesByID keeps the quizzes the caller may see (drafts are for admins), as quiz and node
// do; the others are then NOT_FOUND. Not CollectFields: it would load only the selected
// columns, and visibility needs published.
func (r *Resolver) quizzesByID(ctx context.Context, ids []int) ([]*ent.Quiz, error) {
	qs, err := r.Client.Quiz.Query().Where(quiz.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := qs[:0]
	for _, q := range qs {
		ok, err := r.Finder.NodeVisible(ctx, q)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, q)
		}
	}
	return out, nil
}

func quizID(q *ent.Quiz) int     { return q.ID }
func reviewID(r *ent.Review) int { return r.ID }

// entities returns the objects with the given IDs in the order asked, loaded by one query;
// an ID with no object (or one of another type: IDs are global) gets a NOT_FOUND error at its
// index, as node does.
func entities[T any](ids []int, found []*T, id func(*T) int) ([]*T, error) {
	byID := make(map[int]*T, len(found))
	for _, x := range found {
		byID[id(x)] = x
	}
	out := make([]*T, len(ids))
	var errs graphql.BatchErrorList
	for i, k := range ids {
		if out[i] = byID[k]; out[i] == nil {
			if errs == nil {
				errs = make(graphql.BatchErrorList, len(ids))
			}
			errs[i] = errNoNode
		}
	}
	if errs != nil {
		return out, errs
	}
	return out, nil
}

// primeEntities primes the batch loaders for the entities of one type resolved by _entities,
// walking only the selections of the fragments on that type (the _entities selection may
// hold fragments on several).
func primeEntities[T any](ctx context.Context, typeName string, xs []*T, walk func(*primer, ast.SelectionSet, []*T)) {
	l := loader.FromContext(ctx)
	fc := graphql.GetFieldContext(ctx)
	if l == nil || fc == nil || len(xs) == 0 {
		return
	}
	p := &primer{oc: graphql.GetOperationContext(ctx)}
	var sel ast.SelectionSet
	for _, f := range graphql.CollectFields(p.oc, fc.Field.Selections, []string{typeName}) {
		sel = append(sel, f.Field)
	}
	present := make([]*T, 0, len(xs))
	for _, x := range xs {
		if x != nil {
			present = append(present, x)
		}
	}
	walk(p, sel, present)
	p.load(ctx, l)
}
