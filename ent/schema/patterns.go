package schema

import "regexp"

var (
	// SlugPattern is the URL-safe form of a slug: lower-case words joined by single hyphens.
	SlugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// currencyPattern is the shape of an ISO 4217 code; the domain also checks the code exists.
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)
