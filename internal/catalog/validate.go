package catalog

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/vitrinehq/vitrine/ent/schema"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/money"
)

// These mirror the ent schema's validators, which remain the backstop; checking here first
// gives clients messages and field paths they can act on. Slugs use the schema's own
// pattern (schema.SlugPattern), so the two cannot drift.

const (
	maxNameLen        = 200
	maxSKULen         = 64
	maxDescriptionLen = 20000
	maxURLLen         = 2048
	maxMinorUnits     = 1<<31 - 1
)

// check collects the first failing rule of a mutation input.
type check struct{ err error }

func (c *check) failf(field, format string, args ...any) {
	if c.err == nil {
		c.err = apperr.InvalidField(field, format, args...)
	}
}

func (c *check) text(field string, v *string, min, max int) {
	if v == nil {
		return
	}
	n := utf8.RuneCountInString(*v)
	if strings.TrimSpace(*v) == "" && min > 0 {
		c.failf(field, "%s must not be blank", field)
	} else if n < min || n > max {
		c.failf(field, "%s must be %d to %d characters, got %d", field, min, max, n)
	}
}

func (c *check) slug(field string, v *string) {
	if v != nil && (!schema.SlugPattern.MatchString(*v) || len(*v) > maxNameLen) {
		c.failf(field, "%s must be lower-case letters and digits in words joined by single hyphens (like \"trail-shoes-2\"), at most %d characters", field, maxNameLen)
	}
}

func (c *check) nonNegative(field string, v *int64, max int64) {
	if v != nil && (*v < 0 || *v > max) {
		c.failf(field, "%s must be between 0 and %d", field, max)
	}
}

func (c *check) currency(field string, v *string) {
	if v == nil || c.err != nil {
		return
	}
	code, err := money.ParseCurrency(field, *v)
	if err != nil {
		c.err = err
		return
	}
	*v = code
}

func (c *check) url(field string, v *string) {
	if v == nil || *v == "" {
		return
	}
	u, err := url.Parse(*v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(*v) > maxURLLen {
		c.failf(field, "%s must be an absolute http(s) URL of at most %d characters", field, maxURLLen)
	}
}

// ValidSlug reports whether s is a well-formed slug (lower-case words joined by hyphens).
func ValidSlug(s string) bool { return schema.SlugPattern.MatchString(s) && len(s) <= maxNameLen }
