package graphql

import (
	"context"
	"sync"
	"sync/atomic"
)

// MarshalSliceConcurrently marshals a slice of elements concurrently, writing
// each result into the returned Array.
//
// The marshalElement callback is called for each index and receives a context
// that already has a FieldContext with Index set. The callback should set
// FieldContext.Result and perform the actual marshaling.
//
// workerLimit of 0 means unlimited concurrency.
//
// Every element of the returned Array is set, because Array.MarshalGQL
// marshals each one. An element that could not be marshalled holds Null, as
// one whose resolver returned an error would: one whose marshalElement
// panicked (recovered unless omitPanicHandler), or, with a workerLimit, one
// not yet started when ctx is cancelled, reported once as ctx.Err(). A
// nullable element thus reports null in place, and for non-null elements the
// caller's non-null check nulls the whole list.
func MarshalSliceConcurrently(
	ctx context.Context,
	length int,
	workerLimit int64,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) Marshaler,
) Array {
	ret := make(Array, length)
	if length == 0 {
		return ret
	}

	isLen1 := length == 1

	if isLen1 {
		i := 0
		fc := &FieldContext{
			Index: &i,
		}
		childCtx := WithFieldContext(ctx, fc)
		if omitPanicHandler {
			ret[0] = marshalElement(childCtx, 0)
		} else {
			func() {
				defer func() {
					if r := recover(); r != nil {
						AddError(childCtx, Recover(childCtx, r))
						ret[0] = Null
					}
				}()
				ret[0] = marshalElement(childCtx, 0)
			}()
		}
		return ret
	}

	if workerLimit <= 0 {
		return marshalEachConcurrently(ctx, ret, omitPanicHandler, marshalElement)
	}
	return marshalWithWorkers(ctx, ret, int(min(workerLimit, int64(length))), omitPanicHandler, marshalElement)
}

// marshalElementAt marshals element i under its own FieldContext, recovering a
// panic into Null unless omitPanicHandler.
func marshalElementAt(
	ctx context.Context,
	ret Array,
	i int,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) Marshaler,
) {
	// The element's FieldContext and the index it points to in one allocation: every element of
	// every list makes one.
	elem := &struct {
		fc    FieldContext
		index int
	}{index: i}
	elem.fc.Index = &elem.index
	childCtx := WithFieldContext(ctx, &elem.fc)
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				AddError(childCtx, Recover(childCtx, r))
				ret[i] = Null
			}
		}()
	}
	ret[i] = marshalElement(childCtx, i)
}

// marshalEachConcurrently starts one goroutine per element: with no worker
// limit, every element may wait on a data loader at the same time.
func marshalEachConcurrently(
	ctx context.Context,
	ret Array,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) Marshaler,
) Array {
	var wg sync.WaitGroup
	for i := range ret {
		wg.Add(1)
		go func() {
			defer wg.Done()
			marshalElementAt(ctx, ret, i, omitPanicHandler, marshalElement)
		}()
	}
	wg.Wait()
	return ret
}

// marshalWithWorkers marshals the elements on a fixed number of workers, the
// calling goroutine being one of them, which take the next unstarted element
// in order. At most that many elements are in progress at any time, as with a
// goroutine per element and a semaphore, but a long list costs workers-1
// goroutines instead of one per element, and a limit of 1 marshals the list
// in place. Elements not yet started when ctx is cancelled are Null, and the
// cancellation is reported once, at the first of them.
func marshalWithWorkers(
	ctx context.Context,
	ret Array,
	workers int,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) Marshaler,
) Array {
	var (
		next      atomic.Int64
		cancelled sync.Once
	)
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(ret) {
				return
			}
			if err := ctx.Err(); err != nil {
				ret[i] = Null
				cancelled.Do(func() {
					index := i
					AddError(WithFieldContext(ctx, &FieldContext{Index: &index}), err)
				})
				continue
			}
			marshalElementAt(ctx, ret, i, omitPanicHandler, marshalElement)
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	return ret
}
