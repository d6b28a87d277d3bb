package scalar

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Variables is a gqlgen handler extension that applies Int and Float input coercion to the
// request's variables, at every depth of lists and input objects, right after gqlparser has
// coerced them (which lets numeric strings through). A refused value fails the request with
// GRAPHQL_VALIDATION_FAILED like any other variable of the wrong type, before extensions
// registered after it — the cost budget — read the variables: the cost is computed from the
// values the executor will use. Literals need no check: gqlparser's validation refuses a
// string literal for an Int.
type Variables struct {
	Schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Variables{}

// ExtensionName implements graphql.HandlerExtension.
func (Variables) ExtensionName() string { return "VitrineNumericVariables" }

// Validate implements graphql.HandlerExtension.
func (Variables) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses strings (and out-of-range or fractional Ints) given for Int
// and Float variables.
func (x Variables) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	for _, def := range opCtx.Operation.VariableDefinitions {
		v, ok := opCtx.Variables[def.Variable]
		if !ok {
			continue
		}
		path := ast.Path{ast.PathName("variable"), ast.PathName(def.Variable)}
		if err := x.check(def.Type, v, path); err != nil {
			errcode.Set(err, errcode.ValidationFailed)
			return err
		}
	}
	return nil
}

// check walks v along typ; gqlparser has already checked its shape, so only numbers matter.
func (x Variables) check(typ *ast.Type, v any, path ast.Path) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			// A single value stands for a list of one.
			return x.check(typ.Elem, v, path)
		}
		for i, e := range list {
			if err := x.check(typ.Elem, e, append(path, ast.PathIndex(i))); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	switch typ.NamedType {
	case "Int":
		_, err = toInt(v)
	case "Float":
		_, err = toFloat(v)
	default:
		def := x.Schema.Types[typ.NamedType]
		obj, ok := v.(map[string]any)
		if def == nil || def.Kind != ast.InputObject || !ok {
			return nil
		}
		for _, f := range def.Fields {
			if fv, ok := obj[f.Name]; ok {
				if err := x.check(f.Type, fv, append(path, ast.PathName(f.Name))); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err != nil {
		return gqlerror.ErrorPathf(path, "%s: %s", pathString(path), err)
	}
	return nil
}

// pathString spells a variable path as a client wrote it: $where.or[0].priceLT.
func pathString(path ast.Path) string {
	s := "$"
	for i, el := range path[1:] {
		switch el := el.(type) {
		case ast.PathName:
			if i > 0 {
				s += "."
			}
			s += string(el)
		case ast.PathIndex:
			s += "[" + strconv.Itoa(int(el)) + "]"
		}
	}
	return s
}
