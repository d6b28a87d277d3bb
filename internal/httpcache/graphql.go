package httpcache

import (
	"context"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Directive is the schema directive that declares how cacheable a field or type is, after
// Apollo's convention: `@cacheControl(scope: PRIVATE)` on anything whose value depends on who
// asks, `@cacheControl(maxAge: 5)` to shorten the response's max-age. Fields guarded by
// AuthDirective count as private too.
const (
	Directive     = "cacheControl"
	AuthDirective = "auth"
)

// Responses returns the gqlgen response middleware that marks a response public: a query
// with no errors, asked without credentials, that selects nothing private. It must run outside
// any middleware that adds errors, so it sees them all.
func (p *Policy) Responses(schema *ast.Schema) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		v := fromContext(ctx)
		if v == nil || resp == nil || len(resp.Errors) > 0 || !graphql.HasOperationContext(ctx) {
			return resp
		}
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation == nil || oc.Operation.Operation != ast.Query || oc.Headers.Get("Authorization") != "" {
			return resp
		}
		w := walker{schema: schema, doc: oc.Doc, seen: map[string]bool{}, maxAge: v.maxAge}
		if w.selection(oc.Operation.SelectionSet) {
			v.public, v.maxAge = true, w.maxAge
		}
		return resp
	}
}

// walker visits every field an operation selects, through fragments, and reports whether all
// of them are public.
type walker struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	seen   map[string]bool
	maxAge time.Duration
}

func (w *walker) selection(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if !w.field(sel) || !w.selection(sel.SelectionSet) {
				return false
			}
		case *ast.InlineFragment:
			if !w.selection(sel.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			// Each fragment is walked once however often it is spread.
			if w.seen[sel.Name] {
				continue
			}
			w.seen[sel.Name] = true
			frag := sel.Definition
			if frag == nil && w.doc != nil {
				frag = w.doc.Fragments.ForName(sel.Name)
			}
			if frag == nil || !w.selection(frag.SelectionSet) {
				return false
			}
		}
	}
	return true
}

// field reports whether a field may be shared, and lowers maxAge to its own.
func (w *walker) field(f *ast.Field) bool {
	def := f.Definition
	if def == nil {
		// Only __typename lacks a definition after validation; be safe for anything else.
		return f.Name == "__typename"
	}
	if def.Directives.ForName(AuthDirective) != nil || !w.apply(def.Directives) {
		return false
	}
	if t := w.schema.Types[def.Type.Name()]; t != nil {
		return w.apply(t.Directives)
	}
	return true
}

func (w *walker) apply(dirs ast.DirectiveList) bool {
	d := dirs.ForName(Directive)
	if d == nil {
		return true
	}
	if scope := d.Arguments.ForName("scope"); scope != nil && scope.Value.Raw == "PRIVATE" {
		return false
	}
	if maxAge := d.Arguments.ForName("maxAge"); maxAge != nil {
		if s, err := strconv.Atoi(maxAge.Value.Raw); err == nil && time.Duration(s)*time.Second < w.maxAge {
			w.maxAge = time.Duration(s) * time.Second
		}
	}
	return true
}
