package limits

import (
	"context"
	"math"
	"strings"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/scalar"
)

// The cost model, in the spirit of GitHub's node limit and Shopify's query cost: a request
// costs about as many objects as it may load.
//
//   - A scalar or enum field costs 0: it is read with its object.
//   - An object field costs 1 plus its selections.
//   - A connection costs 1 plus n times the cost of one edge, where n is first or last, or
//     DefaultPageSize when neither is given (the page size the server then applies). Its
//     pageInfo and totalCount come with the page and cost nothing; edges and node are the
//     items themselves (node costs 1 plus its selections).
//   - A list of objects costs n times (1 plus one item's selections), where n is the length of
//     its ids argument (representations for Apollo Federation's _entities: one lookup per
//     entity a router asks for), else its first argument, else the field's known bound in
//     ListSizes, else DefaultListSize.
//
// Costs saturate instead of overflowing, so first: 2147483647 is simply over budget.
const (
	DefaultPageSize = 20
	DefaultListSize = 20
)

// ListSizes are the expected lengths of object lists that take no size argument, by
// "Type.field"; lists not named here count as DefaultListSize.
var ListSizes = map[string]int{
	// One point per calendar bucket: a year of weeks or two months of days (the domain allows
	// up to 1,000 buckets, computed by one aggregate query).
	"Query.ratingTrend": 60,
	"Query.reviewTrend": 60,
	// One entry per child category, as a menu shows them.
	"Query.categoryStats": 50,
	"Category.children":   20,
	// At most quiz.MaxRecommendations are stored per submission.
	"QuizSubmission.recommendations": 20,
	"QuizQuestion.options":           10,
	"QuestionStats.options":          10,
	"QuizOption.weights":             10,
}

// costSchema prices fields for gqlgen's complexity walker (complexity.Calculate). It replaces
// the generated Complexity method, which only knows per-field functions in ComplexityRoot;
// pricing from the schema's types covers every field, entgql's generated connections included,
// without one hand-written function per field.
type costSchema struct {
	graphql.ExecutableSchema
	prices map[string]price
}

type priceKind int

const (
	object     priceKind = iota // 1 + child
	connection                  // 1 + n × child
	items                       // child: the multiplication happened at the connection
	list                        // n × (1 + child)
)

type price struct {
	kind priceKind
	size int // for lists without a size argument
}

// Cost wraps es so that gqlgen's complexity walker applies the model above.
func Cost(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	s := &costSchema{ExecutableSchema: es, prices: map[string]price{}}
	for _, def := range es.Schema().Types {
		if def.Kind != ast.Object && def.Kind != ast.Interface {
			continue
		}
		for _, f := range def.Fields {
			ret := es.Schema().Types[f.Type.Name()]
			if ret == nil || !isComposite(ret) {
				continue // scalars: the walker's fixed scalar value (0) applies
			}
			key := def.Name + "." + f.Name
			switch {
			case isConnection(ret):
				s.prices[key] = price{kind: connection}
			case isConnection(def) && f.Name == "edges":
				s.prices[key] = price{kind: items}
			case f.Type.Elem != nil:
				size, ok := ListSizes[key]
				if !ok {
					size = DefaultListSize
				}
				s.prices[key] = price{kind: list, size: size}
			default:
				s.prices[key] = price{kind: object}
			}
		}
	}
	return s
}

// Complexity implements graphql.ExecutableSchema. The walker ignores results below 1 and then
// charges its default (1 for objects plus their children).
func (s *costSchema) Complexity(_ context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	p, ok := s.prices[typeName+"."+field]
	if !ok {
		return 0, false
	}
	switch p.kind {
	case connection:
		n, ok := intArg(args, "first")
		if !ok {
			if n, ok = intArg(args, "last"); !ok {
				n = DefaultPageSize
			}
		}
		return add(1, mul(n, child)), true
	case items:
		return child, true
	case list:
		n := p.size
		if ids, ok := args["ids"].([]any); ok {
			n = len(ids)
		} else if reps, ok := args["representations"].([]any); ok {
			n = len(reps)
		} else if first, ok := intArg(args, "first"); ok {
			n = first
		}
		return mul(n, add(1, child)), true
	}
	return add(1, child), true
}

// costOptions leave out what a connection's page brings along for free.
func costOptions(es graphql.ExecutableSchema) []complexity.Option {
	free := map[string]struct{}{}
	for _, def := range es.Schema().Types {
		if isConnection(def) {
			free[def.Name+".pageInfo"] = struct{}{}
		}
	}
	return []complexity.Option{complexity.WithFixedScalarValue(0), complexity.WithIgnoreFields(free)}
}

// Budget returns gqlgen's complexity-limit extension over a schema wrapped by Cost: the
// budget is MaxCostAdmin for administrators and MaxCost for everyone else. A request over
// budget fails validation with COMPLEXITY_LIMIT_EXCEEDED, which the error presenter reports
// as QUERY_TOO_COMPLEX.
func (l Limits) Budget(es graphql.ExecutableSchema) *extension.ComplexityLimit {
	c := extension.FixedComplexityLimit(0, costOptions(es)...)
	c.Func = func(ctx context.Context, _ *graphql.OperationContext) int { return l.BudgetFor(ctx) }
	return c
}

// BudgetFor returns the cost budget of the request's caller.
func (l Limits) BudgetFor(ctx context.Context) int {
	if auth.FromContext(ctx).IsAdmin() && l.MaxCostAdmin > 0 {
		return l.MaxCostAdmin
	}
	if l.MaxCost <= 0 {
		return math.MaxInt
	}
	return l.MaxCost
}

// CostReport is the extensions.cost member of every response.
type CostReport struct {
	Requested int `json:"requested"`
	Budget    int `json:"budget"`
}

// Report returns the cost computed for the request in ctx (0 when the request failed before
// its cost could be computed, e.g. on a syntax error) and the caller's budget.
func (l Limits) Report(ctx context.Context) CostReport {
	r := CostReport{Budget: l.BudgetFor(ctx)}
	if graphql.HasOperationContext(ctx) {
		if stats := extension.GetComplexityStats(ctx); stats != nil {
			r.Requested, r.Budget = stats.Complexity, stats.ComplexityLimit
		}
	}
	return r
}

func isComposite(def *ast.Definition) bool {
	return def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union
}

func isConnection(def *ast.Definition) bool {
	return def.Kind == ast.Object && strings.HasSuffix(def.Name, "Connection")
}

// intArg reads a size argument, literal or from variables, with the executor's own Int
// coercion (internal/scalar), so the cost is computed from the value that will run. A value
// the coercion refuses never runs (scalar.Variables refuses the request before pricing).
// Negative sizes are the resolver's to reject and cost nothing here.
func intArg(args map[string]any, name string) (int, bool) {
	v := args[name]
	if v == nil {
		return 0, false
	}
	n, err := scalar.UnmarshalInt64(v)
	if err != nil {
		return DefaultPageSize, true
	}
	return int(max(n, 0)), true
}

func add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}
