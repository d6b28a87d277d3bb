package graph

import (
	"reflect"
	"strings"
	"time"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// Page size limits for every connection field. The default is the cost model's, so a
// connection is priced at the page size it is served with.
const (
	DefaultPageSize = limits.DefaultPageSize
	MaxPageSize     = 100
)

// Page sizes are enforced for every connection field in one place (fieldMiddleware): entgql's
// Paginate would otherwise return every row when neither first nor last is given, and reports
// its own argument errors without a client-facing code.

func isConnection(typeName string) bool { return strings.HasSuffix(typeName, "Connection") }

func limitPage(args map[string]any) error {
	first, hasFirst := args["first"].(*int)
	last, hasLast := args["last"].(*int)
	if !hasFirst {
		return nil // not a paginated field
	}
	for _, a := range []struct {
		name string
		v    *int
	}{{"first", first}, {"last", last}} {
		if a.v == nil {
			continue
		}
		if *a.v < 0 {
			return apperr.InvalidField(a.name, "%s must not be negative", a.name)
		}
		if *a.v > MaxPageSize {
			return apperr.InvalidField(a.name, "%s must be at most %d", a.name, MaxPageSize)
		}
	}
	if first != nil && last != nil {
		return apperr.InvalidField("last", "pass either first or last, not both")
	}
	if err := checkCursors(args); err != nil {
		return err
	}
	if first == nil && last == nil {
		n := DefaultPageSize
		// Paging backwards from a cursor with no size means "the page before", not the first.
		if before, _ := args["before"].(*relay.Cursor); before != nil && hasLast {
			args["last"] = &n
		} else {
			args["first"] = &n
		}
	}
	return nil
}

// checkCursors rejects cursors whose shape cannot come from this connection's ordering, before
// they reach SQL. entgql encodes a single order as a scalar value and a multi-field order as a
// list with one value per field.
func checkCursors(args map[string]any) error {
	for _, name := range []string{"after", "before"} {
		c, _ := args[name].(*relay.Cursor)
		if c == nil {
			continue
		}
		if !cursorFitsOrder(c.Value, args["orderBy"]) {
			return apperr.InvalidField(name, "cursor does not belong to this ordering; "+
				"request the connection again with the same orderBy to get fresh cursors")
		}
	}
	return nil
}

func cursorFitsOrder(value, orderBy any) bool {
	ob := reflect.ValueOf(orderBy)
	switch {
	case ob.Kind() == reflect.Slice && ob.Len() > 0:
		list, ok := value.([]any)
		return ok && len(list) == ob.Len() && allScalars(list)
	case ob.Kind() == reflect.Pointer && !ob.IsNil():
		return value != nil && isScalar(value)
	case ob.Kind() == reflect.Slice:
		// A multi-order field without orderBy: entgql encodes its default order as a list too.
		list, ok := value.([]any)
		return value == nil || ok && len(list) <= 1 && allScalars(list)
	}
	// No explicit order: the field's default applies, which is ID order or a one-field order.
	if list, ok := value.([]any); ok {
		return len(list) <= 1 && allScalars(list)
	}
	return value == nil || isScalar(value)
}

func allScalars(vs []any) bool {
	for _, v := range vs {
		if !isScalar(v) {
			return false
		}
	}
	return true
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, time.Time:
		return true
	}
	return false
}

// pageSize is first, or the default for a field whose size PaginationLimits did not fill in.
func pageSize(first *int) int {
	if first == nil {
		return DefaultPageSize
	}
	return *first
}
