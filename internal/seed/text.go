package seed

import (
	"math"
	"math/rand/v2"
	"strings"
)

// pick returns a uniformly chosen element of list.
func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

// logUniform draws from [lo, hi] so that each order of magnitude is equally likely, which is
// how prices and stock levels spread in real catalogs (many cheap items, a few expensive ones).
func logUniform(rng *rand.Rand, lo, hi int64) int64 {
	ln := math.Log(float64(lo)) + rng.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))
	return min(hi, max(lo, int64(math.Round(math.Exp(ln)))))
}

// slugify keeps ASCII letters and digits, lower-cased, and joins the runs between them with
// single hyphens, so the result always matches ^[a-z0-9]+(-[a-z0-9]+)*$ when it is not empty.
// Apostrophes vanish rather than split words ("Chef's" → "chefs").
func slugify(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range s {
		switch {
		case r == '\'':
			continue
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		default:
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('-')
		}
		gap = false
		b.WriteRune(r)
	}
	return b.String()
}

// fill replaces each {key} in tmpl with its value from vars, given as key, value pairs.
// Unknown keys stay as written so a typo in a template shows up in the output, not silently.
func fill(tmpl string, vars ...string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(tmpl[:open])
		key := tmpl[open+1 : open+end]
		b.WriteString(lookup(vars, key, tmpl[open:open+end+1]))
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

func lookup(vars []string, key, fallback string) string {
	for i := 0; i+1 < len(vars); i += 2 {
		if vars[i] == key {
			return vars[i+1]
		}
	}
	return fallback
}

// pronouns returns the fill variables that make review text agree with the noun's number.
func pronouns(noun string) []string {
	if pluralNoun(noun) {
		return []string{"this", "these", "it", "them", "subj", "they", "itis", "they're", "Itis", "They're"}
	}
	return []string{"this", "this", "it", "it", "subj", "it", "itis", "it's", "Itis", "It's"}
}
