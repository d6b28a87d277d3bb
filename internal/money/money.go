// Package money formats integer minor-unit amounts as exact decimal strings, using each
// currency's ISO 4217 scale (2 for USD, 0 for JPY, 3 for KWD). Amounts never pass through floats.
package money

import (
	"strconv"
	"strings"

	"golang.org/x/text/currency"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

// ParseCurrency validates and normalises an ISO 4217 code. It returns a BAD_USER_INPUT error
// naming field for anything else.
func ParseCurrency(field, code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 3 {
		return "", apperr.InvalidField(field, "currency must be a 3-letter ISO 4217 code such as USD, got %q", code)
	}
	if _, err := currency.ParseISO(code); err != nil {
		return "", apperr.InvalidField(field, "%q is not an ISO 4217 currency code", code)
	}
	return code, nil
}

// Scale returns the number of decimal places of a currency's minor unit; 2 when unknown.
func Scale(code string) int {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale
}

// Format renders minor units as a decimal string in major units: Format(1999, "USD") = "19.99".
func Format(minor int64, code string) string {
	scale := Scale(code)
	neg := minor < 0
	digits := strconv.FormatUint(absUint(minor), 10)
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// absUint avoids overflow on math.MinInt64, whose absolute value does not fit in int64.
func absUint(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
