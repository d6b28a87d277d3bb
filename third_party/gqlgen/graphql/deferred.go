package graphql

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

type Deferrable struct {
	Label string
}

type DeferredGroup struct {
	Path     ast.Path
	FieldSet *FieldSet
	Defers   map[string]*FieldSetView
	Context  context.Context
}

// NewDeferredGroup returns an empty group ready to collect the @defer'd fields
// of the object being resolved at ctx. The incremental payloads the group
// eventually emits are labelled with ctx's path and resolved under ctx, so it
// must be the same context the object's fields are collected and dispatched
// with.
//
// The group is built for every object, but holds @defer'd fields only for
// documents that use @defer: its field set, label map and path are therefore
// made when the first deferred field is added (ResolveConcurrently) and when
// the group is processed (ProcessDeferredGroup), not here.
func NewDeferredGroup(ctx context.Context) DeferredGroup {
	return DeferredGroup{Context: ctx}
}

// addDeferred returns the group's field set and label map, making them on the
// first deferred field.
func (dg *DeferredGroup) addDeferred() *FieldSet {
	if dg.FieldSet == nil {
		dg.FieldSet = NewFieldSet(nil)
		dg.Defers = make(map[string]*FieldSetView)
	}
	return dg.FieldSet
}

type DeferredResult struct {
	Path   ast.Path
	Label  string
	Result Marshaler
	Errors gqlerror.List
}
