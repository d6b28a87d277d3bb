package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// IntrospectionDisabled is the message of a document refused because it introspects the
// schema while introspection is off.
const IntrospectionDisabled = "introspection is disabled on this server: __schema and __type are not answered " +
	"(__typename is); ask the API's owners for its schema"

// IntrospectionPolicy decides what __schema and __type get: gqlgen's extension answers them; with
// introspection off they are refused before execution as a validation failure of the
// client's document. Left to gqlgen, they would run and fail in the resolver as an internal
// error, logged at error level on every playground load.
func IntrospectionPolicy(on bool) graphql.HandlerExtension {
	if on {
		return extension.Introspection{}
	}
	return refuseIntrospection{}
}

// refuseIntrospection refuses operations that select __schema or __type.
type refuseIntrospection struct{}

var _ graphql.OperationContextMutator = refuseIntrospection{}

// ExtensionName names the extension for gqlgen.
func (refuseIntrospection) ExtensionName() string { return "RefuseIntrospection" }

// Validate accepts every schema.
func (refuseIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses the operation if it introspects, with the position of the
// first introspection field.
func (refuseIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	pos := introspects(oc.Doc, oc.Operation.SelectionSet, map[string]bool{})
	if pos == nil {
		return nil
	}
	err := gqlerror.ErrorPosf(pos, "%s", IntrospectionDisabled)
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// introspects returns the position of a __schema or __type field in a root selection set
// (the only place validation allows them), fragments included, or nil.
func introspects(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) *ast.Position {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return s.Position
			}
		case *ast.InlineFragment:
			if pos := introspects(doc, s.SelectionSet, seen); pos != nil {
				return pos
			}
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil {
				if pos := introspects(doc, f.SelectionSet, seen); pos != nil {
					return pos
				}
			}
		}
	}
	return nil
}
