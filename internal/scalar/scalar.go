// Package scalar implements GraphQL's Int and Float with the input coercion the spec requires:
// numbers only. gqlgen's built-in unmarshalers and gqlparser's variable validation also accept
// strings that parse as numbers ("5", "+4"), which let a client pass a page size the cost model
// could not read. gqlgen.yml maps Int and Float to the functions here, and Variables refuses
// such values for the whole request before anything is priced or run.
package scalar

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalInt writes an int as gqlgen does.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt accepts an integral number within 32 bits, as the spec's Int does.
func UnmarshalInt(v any) (int, error) {
	n, err := toInt(v)
	return int(n), err
}

// MarshalInt64 writes an int64 (e.g. an ent int64 field exposed as Int) as gqlgen does.
func MarshalInt64(i int64) graphql.Marshaler { return graphql.MarshalInt64(i) }

// UnmarshalInt64 accepts what UnmarshalInt accepts: the schema type is still Int.
func UnmarshalInt64(v any) (int64, error) { return toInt(v) }

// MarshalInt32 writes an int32 as gqlgen does.
func MarshalInt32(i int32) graphql.Marshaler { return graphql.MarshalInt32(i) }

// UnmarshalInt32 accepts what UnmarshalInt accepts.
func UnmarshalInt32(v any) (int32, error) {
	n, err := toInt(v)
	return int32(n), err
}

// MarshalFloat writes a float as gqlgen does, refusing NaN and infinities.
func MarshalFloat(f float64) graphql.ContextMarshaler { return graphql.MarshalFloatContext(f) }

// UnmarshalFloat accepts a finite number, integral or not.
func UnmarshalFloat(_ context.Context, v any) (float64, error) { return toFloat(v) }

// toInt coerces an Int input: JSON numbers arrive as json.Number (or int64 once gqlparser has
// converted a top-level variable), literals as int64.
func toInt(v any) (int64, error) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%v is not an Int: Int values are whole numbers", v)
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return 0, errOutOfRange(v)
		}
		return int64(v), nil
	case json.Number:
		i, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			// 2.0 is integral; 2.5 and 1e400 are not Ints.
			f, ferr := strconv.ParseFloat(string(v), 64)
			if ferr != nil {
				return 0, errOutOfRange(v)
			}
			return toInt(f)
		}
		n = i
	case string:
		return 0, fmt.Errorf("a string (%q) is not an Int: send a JSON number", v)
	default:
		return 0, fmt.Errorf("a %s is not an Int", kind(v))
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, errOutOfRange(n)
	}
	return n, nil
}

func errOutOfRange(v any) error {
	return fmt.Errorf("%v is not an Int: Int values fit in 32 bits (-2147483648 to 2147483647)", v)
}

// toFloat coerces a Float input.
func toFloat(v any) (float64, error) {
	var f float64
	switch v := v.(type) {
	case int:
		f = float64(v)
	case int32:
		f = float64(v)
	case int64:
		f = float64(v)
	case float64:
		f = v
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(v), 64); err != nil {
			return 0, fmt.Errorf("%s is not a Float", v)
		}
	case string:
		return 0, fmt.Errorf("a string (%q) is not a Float: send a JSON number", v)
	default:
		return 0, fmt.Errorf("a %s is not a Float", kind(v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%v is not a Float: Float values are finite", v)
	}
	return f, nil
}

// kind names a JSON value's type for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
