package graphql

import (
	"context"
	"io"

	"github.com/vektah/gqlparser/v2/ast"
)

func ResolveField[T any](
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	middlewareChain func(ctx context.Context, next Resolver) Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) Marshaler {
	return resolveField[T, Marshaler](
		ctx,
		oc,
		field,
		initializeFieldContext,
		fieldResolver,
		middlewareChain,
		recoverFromPanic,
		nonNull,
		Null,
		RequiredNull,
		func(ctx context.Context, res T) Marshaler {
			return marshal(ctx, field.Selections, res)
		},
	)
}

// ResolveFieldDirect resolves a field whose value is a Go field of its object, read by the caller,
// when oc.DirectFields says no field interceptor runs. It gives the field its FieldContext (for
// error paths and recovery) and marshals the value, as ResolveField would, without the resolver
// closures, the boxing of the value or the interceptor chain: a plain scalar field then costs
// its FieldContext and its Marshaler. FieldContext.Result is left unset, as nothing reads it
// when no interceptor runs.
func ResolveFieldDirect[T any](
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	value T,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) Marshaler,
	recoverFromPanic bool,
) (ret Marshaler) {
	fc, err := initializeFieldContext(ctx, field)
	if err != nil {
		return Null
	}
	ctx = WithFieldContext(ctx, fc)
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = Null
			}
		}()
	}
	return marshal(ctx, field.Selections, value)
}

// ResolveFieldInline is ResolveField for a field without field middleware (directives), when
// oc.DirectFields says no field interceptor runs: the resolver is called directly, so neither
// it nor the context escapes through the interceptor chain, and generated code can keep its
// closures on the stack. Errors, nulls, panics and FieldContext.Result are handled as by
// ResolveField.
func ResolveFieldInline[T any](
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) (ret Marshaler) {
	fc, err := initializeFieldContext(ctx, field)
	if err != nil {
		return Null
	}
	ctx = WithFieldContext(ctx, fc)
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = Null
			}
		}()
	}
	resTmp, err := fieldResolver(ctx)
	if err != nil {
		oc.Error(ctx, AddFieldLocationToError(ctx, err))
		if fc.NonNull && !nonNull {
			return RequiredNull
		}
		return Null
	}
	if resTmp == nil {
		if nonNull || fc.NonNull {
			AddInvalidNullError(ctx, "")
		}
		if fc.NonNull && !nonNull {
			return RequiredNull
		}
		return Null
	}
	if res, ok := resTmp.(T); ok {
		fc.Result = res
		return marshal(ctx, field.Selections, res)
	}
	if res, ok := resTmp.(Marshaler); ok {
		fc.Result = res
		return res
	}
	var t T
	oc.Errorf(ctx, `unexpected type %T from middleware/directive chain, should be %T`, resTmp, t)
	return Null
}

// ResolveScalarDirect is ResolveFieldDirect for a scalar whose marshalling function takes the
// field's value as it is. A scalar's marshaller does not read the context, so the value is
// marshalled without a FieldContext; only a null result, which the field's marshal function may
// report as an error at the field's path, or a panic, which is reported there, takes the full
// path. Most fields of a response are such scalars.
func ResolveScalarDirect[T any](
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	value T,
	marshalScalar func(v T) Marshaler,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) Marshaler,
	recoverFromPanic bool,
) (ret Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				ret = recoverField(ctx, oc, field, initializeFieldContext, r)
			}
		}()
	}
	if m := marshalScalar(value); m != Null {
		return m
	}
	return ResolveFieldDirect(ctx, oc, field, initializeFieldContext, value, marshal, recoverFromPanic)
}

// recoverField reports r, recovered from a field resolved without a FieldContext, at the
// field's path.
func recoverField(
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	r any,
) Marshaler {
	if fc, err := initializeFieldContext(ctx, field); err == nil {
		ctx = WithFieldContext(ctx, fc)
	}
	oc.Error(ctx, oc.Recover(ctx, r))
	return Null
}

func ResolveFieldStream[T any](
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	fieldResolver func(context.Context) (any, error),
	middlewareChain func(ctx context.Context, next Resolver) Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) func(context.Context) Marshaler {
	return resolveField(
		ctx,
		oc,
		field,
		initializeFieldContext,
		fieldResolver,
		middlewareChain,
		recoverFromPanic,
		nonNull,
		nil,
		nil,
		func(ctx context.Context, res <-chan T) func(context.Context) Marshaler {
			next := streamWaitFor(ctx, res)
			return func(ctx context.Context) Marshaler {
				v, ok := next(ctx)
				if !ok {
					return nil
				}
				return WriterFunc(func(w io.Writer) {
					w.Write([]byte{'{'})
					MarshalString(field.Alias).MarshalGQL(w)
					w.Write([]byte{':'})
					marshal(ctx, field.Selections, v).MarshalGQL(w)
					w.Write([]byte{'}'})
				})
			}
		},
	)
}

// ResolveFieldStreamWithEventContext is the streaming-field resolver used for
// subscription fields marked with @subscriptionContext. Like
// [ResolveFieldStream] it returns a function that yields one marshaler per
// channel receive, but the channel element type is [Event][T] rather than T,
// and the returned function emits both the per-event context (from
// [Event].Context) and the marshaler. When [Event].Context is nil the input
// context is passed through unchanged.
func ResolveFieldStreamWithEventContext[T any](
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	fieldResolver func(context.Context) (any, error),
	middlewareChain func(ctx context.Context, next Resolver) Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) func(context.Context) (context.Context, Marshaler) {
	return resolveField(
		ctx,
		oc,
		field,
		initializeFieldContext,
		fieldResolver,
		middlewareChain,
		recoverFromPanic,
		nonNull,
		nil,
		nil,
		func(ctx context.Context, res <-chan Event[T]) func(context.Context) (context.Context, Marshaler) {
			return func(ctx context.Context) (context.Context, Marshaler) {
				select {
				case ev, ok := <-res:
					if !ok {
						return ctx, nil
					}
					eventCtx := ev.Context
					if eventCtx == nil {
						eventCtx = ctx
					}
					return eventCtx, WriterFunc(func(w io.Writer) {
						w.Write([]byte{'{'})
						MarshalString(field.Alias).MarshalGQL(w)
						w.Write([]byte{':'})
						marshal(ctx, field.Selections, ev.Value).MarshalGQL(w)
						w.Write([]byte{'}'})
					})
				case <-ctx.Done():
					return ctx, nil
				}
			}
		},
	)
}

func resolveField[T, R any](
	ctx context.Context,
	oc *OperationContext,
	field CollectedField,
	initializeFieldContext func(ctx context.Context, field CollectedField) (*FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	middlewareChain func(ctx context.Context, next Resolver) Resolver,
	recoverFromPanic bool,
	nonNull bool,
	defaultResult R,
	requiredNullResult R,
	result func(ctx context.Context, res T) R,
) (ret R) {
	fc, err := initializeFieldContext(ctx, field)
	if err != nil {
		return defaultResult
	}
	ctx = WithFieldContext(ctx, fc)

	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = defaultResult
			}
		}()
	}

	next := func(rctx context.Context) (any, error) {
		ctx = rctx // use context from middleware stack in children
		return fieldResolver(rctx)
	}

	if middlewareChain != nil {
		next = middlewareChain(ctx, next)
	}

	resTmp, err := oc.ResolverMiddleware(ctx, next)
	if err != nil {
		oc.Error(ctx, AddFieldLocationToError(ctx, err))
		if fc.NonNull && !nonNull {
			return requiredNullResult
		}
		return defaultResult
	}
	if resTmp == nil {
		if nonNull || fc.NonNull {
			AddInvalidNullError(ctx, "")
		}
		if fc.NonNull && !nonNull {
			return requiredNullResult
		}
		return defaultResult
	}
	if res, ok := resTmp.(T); ok {
		fc.Result = res
		return result(ctx, res)
	}
	if res, ok := resTmp.(R); ok {
		fc.Result = res
		return res
	}
	var t T
	oc.Errorf(
		ctx,
		`unexpected type %T from middleware/directive chain, should be %T`,
		resTmp,
		t,
	)
	return defaultResult
}
