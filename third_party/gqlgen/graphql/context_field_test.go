package graphql

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestGetResolverContext(t *testing.T) {
	require.Nil(t, GetFieldContext(context.Background()))

	rc := &FieldContext{}
	require.Equal(t, rc, GetFieldContext(WithFieldContext(context.Background(), rc)))
}

func TestNewScalarFieldContext(t *testing.T) {
	field := CollectedField{
		Field: &ast.Field{Name: "name", Definition: &ast.FieldDefinition{Type: ast.NamedType("String", nil)}},
	}

	fc, err := NewScalarFieldContext("User", field, true, false, "String")
	require.NoError(t, err)
	require.Equal(t, "User", fc.Object)
	require.Equal(t, field, fc.Field)
	require.True(t, fc.IsMethod)
	require.False(t, fc.IsResolver)

	// Child callback must always fail, naming the type when called, as it is, with the context
	// of the field whose child is asked for.
	childFC, childErr := fc.Child(WithFieldContext(context.Background(), fc), CollectedField{})
	require.Nil(t, childFC)
	require.EqualError(t, childErr, "field of type String does not have child fields")

	childFC, childErr = fc.Child(context.Background(), CollectedField{})
	require.Nil(t, childFC)
	require.EqualError(t, childErr, "field of a scalar type does not have child fields")
}

func TestWithFieldContextBindsOnce(t *testing.T) {
	type other struct{}
	parent := context.WithValue(context.Background(), other{}, "parent value")
	outer := &FieldContext{Object: "outer"}
	outerCtx := WithFieldContext(parent, outer)
	inner := &FieldContext{Object: "inner"}
	innerCtx := WithFieldContext(outerCtx, inner)

	require.Same(t, outer, GetFieldContext(outerCtx))
	require.Same(t, inner, GetFieldContext(innerCtx))
	require.Same(t, outer, inner.Parent)
	require.Equal(t, "parent value", innerCtx.Value(other{}))

	// Binding again to the same parent (arguments are parsed under the FieldContext before the
	// resolver runs) gives the same context.
	require.Same(t, innerCtx.(*fieldCtx), WithFieldContext(outerCtx, inner).(*fieldCtx))

	// A second binding, to another parent, leaves the first context as it was.
	again := WithFieldContext(context.Background(), inner)
	require.Same(t, inner, GetFieldContext(again))
	require.Nil(t, inner.Parent)
	require.Same(t, inner, GetFieldContext(innerCtx))
	require.Equal(t, "parent value", innerCtx.Value(other{}))

	// Cancellation and deadlines are the parent's.
	cctx, cancel := context.WithCancel(context.Background())
	bound := WithFieldContext(cctx, &FieldContext{})
	child, stop := context.WithCancel(bound)
	defer stop()
	cancel()
	<-child.Done()
	require.ErrorIs(t, bound.Err(), context.Canceled)
}

func testContext(sel ast.SelectionSet) context.Context {
	ctx := context.Background()

	rqCtx := &OperationContext{}
	ctx = WithOperationContext(ctx, rqCtx)

	root := &FieldContext{
		Field: CollectedField{
			Selections: sel,
		},
	}
	ctx = WithFieldContext(ctx, root)

	return ctx
}
