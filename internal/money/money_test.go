package money

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		minor int64
		code  string
		want  string
	}{
		{1999, "USD", "19.99"},
		{5, "USD", "0.05"},
		{0, "EUR", "0.00"},
		{100, "EUR", "1.00"},
		{1999, "JPY", "1999"},
		{12345, "KWD", "12.345"},
		{-250, "USD", "-2.50"},
		{math.MinInt64, "JPY", "-9223372036854775808"},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, Format(tt.minor, tt.code))
		})
	}
}

func TestParseCurrency(t *testing.T) {
	got, err := ParseCurrency("currency", " eur ")
	require.NoError(t, err)
	require.Equal(t, "EUR", got)

	for _, bad := range []string{"", "EU", "EURO", "ZZZ", "12$"} {
		t.Run("ErrInvalid/"+bad, func(t *testing.T) {
			_, err := ParseCurrency("input.currency", bad)
			e, ok := apperr.As(err)
			require.True(t, ok)
			require.Equal(t, apperr.BadInput, e.Code)
			require.Equal(t, "input.currency", e.Field)
		})
	}
}
