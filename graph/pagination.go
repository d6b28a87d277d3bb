package graph

import (
	"context"
	"reflect"
	"time"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/relay"
)

// Page size limits for every connection field. The default is the cost model's, so a
// connection is priced at the page size it is served with.
const (
	DefaultPageSize = limits.DefaultPageSize
	MaxPageSize     = 100
)

// connection serves a connection field: it checks the page arguments (checkPage), pages with
// the page the field serves, and primes the batch loaders with the objects of the result. Every
// connection resolver goes through it, so no connection pages outside the limits the cost
// model prices, and entgql's Paginate, which returns every row when neither first nor last is
// given, never sees such a page.
func connection[C any](ctx context.Context, p catalog.Page, orderBy any, page func(catalog.Page) (C, error)) (C, error) {
	var zero C
	p, err := checkPage(p, orderBy, true)
	if err != nil {
		return zero, err
	}
	res, err := page(p)
	return primed(ctx, res, err)
}

// checkPage validates a connection's page arguments and returns the page to serve: with neither
// first nor last, the default page size. hasLast tells whether the field takes last at all.
func checkPage(p catalog.Page, orderBy any, hasLast bool) (catalog.Page, error) {
	if err := checkSize("first", p.First); err != nil {
		return p, err
	}
	if err := checkSize("last", p.Last); err != nil {
		return p, err
	}
	if p.First != nil && p.Last != nil {
		return p, apperr.InvalidField("last", "pass either first or last, not both")
	}
	if err := checkCursors(p, orderBy); err != nil {
		return p, err
	}
	if p.First == nil && p.Last == nil {
		n := DefaultPageSize
		// Paging backwards from a cursor with no size means "the page before", not the first.
		if p.Before != nil && hasLast {
			p.Last = &n
		} else {
			p.First = &n
		}
	}
	return p, nil
}

// checkSize checks a page size argument (first or last). The primer of Product.reviews' first
// pages (reviews.go) uses it too, so it serves the page size the resolver will.
func checkSize(name string, v *int) error {
	switch {
	case v == nil:
		return nil
	case *v < 0:
		return apperr.InvalidField(name, "%s must not be negative", name)
	case *v > MaxPageSize:
		return apperr.InvalidField(name, "%s must be at most %d", name, MaxPageSize)
	}
	return nil
}

// checkCursors rejects cursors whose shape cannot come from this connection's ordering, before
// they reach SQL. entgql encodes a single order as a scalar value and a multi-field order as a
// list with one value per field.
func checkCursors(p catalog.Page, orderBy any) error {
	for _, c := range [...]struct {
		name   string
		cursor *relay.Cursor
	}{{"after", p.After}, {"before", p.Before}} {
		if c.cursor != nil && !cursorFitsOrder(c.cursor.Value, orderBy) {
			return apperr.InvalidField(c.name, "cursor does not belong to this ordering; "+
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
