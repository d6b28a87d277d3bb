package graphql

import (
	"bytes"
	"sync/atomic"
	"unsafe"

	"github.com/vektah/gqlparser/v2/ast"
)

// MarshalData writes data, the result of op, into a new buffer and returns its bytes. The buffer
// is made at the size op's last result had: a parsed document is cached and reused, so the same
// query comes back with the same *ast.OperationDefinition, and its result is usually about as
// large. Growing a buffer by doubling to a large response instead allocates and copies it about
// twice over. A nil op gets no hint.
func MarshalData(op *ast.OperationDefinition, data Marshaler) []byte {
	var buf bytes.Buffer
	slot := sizeSlot(op)
	if slot != nil && slot.op.Load() == uintptr(unsafe.Pointer(op)) {
		if n := slot.size.Load(); n > 0 {
			buf.Grow(int(n) + int(n)/32)
		}
	}
	data.MarshalGQL(&buf)
	if slot != nil {
		// Two slots' writers may interleave: the hint is then wrong once, which only costs a
		// buffer growth or some spare capacity.
		slot.op.Store(uintptr(unsafe.Pointer(op)))
		slot.size.Store(int64(min(buf.Len(), maxSizeHint)))
	}
	return buf.Bytes()
}

// maxSizeHint bounds what a hint may make a request allocate up front.
const maxSizeHint = 4 << 20

// sizeSlots is a direct-mapped table of the last result size per operation. An operation is
// known by its address only, so the table keeps no document alive; an address reused by another
// operation gets a wrong hint once.
var sizeSlots [512]struct {
	op   atomic.Uintptr
	size atomic.Int64
}

func sizeSlot(op *ast.OperationDefinition) *struct {
	op   atomic.Uintptr
	size atomic.Int64
} {
	if op == nil {
		return nil
	}
	p := uint64(uintptr(unsafe.Pointer(op)))
	return &sizeSlots[(p*0x9E3779B97F4A7C15)>>(64-9)]
}
