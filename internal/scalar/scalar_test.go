package scalar

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnmarshalInt(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want int
		err  string
	}{
		{"Literal", int64(5), 5, ""},
		{"JSONNumber", json.Number("-7"), -7, ""},
		{"IntegralFloat", json.Number("2.0"), 2, ""},
		{"MaxInt32", json.Number("2147483647"), math.MaxInt32, ""},
		{"ErrString", "5", 0, `a string ("5") is not an Int`},
		{"ErrSignedString", "+4", 0, `a string ("+4") is not an Int`},
		{"ErrFraction", json.Number("2.5"), 0, "2.5 is not an Int"},
		{"ErrBeyondInt32", int64(math.MaxInt32 + 1), 0, "fit in 32 bits"},
		{"ErrHugeNumber", json.Number("1e400"), 0, "fit in 32 bits"},
		{"ErrBool", true, 0, "a boolean is not an Int"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := UnmarshalInt(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			got64, err := UnmarshalInt64(tc.in)
			require.NoError(t, err)
			require.Equal(t, int64(tc.want), got64)
		})
	}
}

func TestUnmarshalFloat(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want float64
		err  string
	}{
		{"Int", int64(3), 3, ""},
		{"JSONNumber", json.Number("-1.25"), -1.25, ""},
		{"ErrString", "1.5", 0, `a string ("1.5") is not a Float`},
		{"ErrInfinite", json.Number("1e400"), 0, "not a Float"},
		{"ErrNull", nil, 0, "a null is not a Float"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := UnmarshalFloat(context.Background(), tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
