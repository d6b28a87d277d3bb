package schema

import (
	"fmt"
	"unicode/utf8"
)

// Text that people write (names, titles, prompts) is limited in characters, as the API states
// its limits and the domain packages check them: ent's MaxLen counts bytes, and would refuse
// accented text below the limit. maxChars sets no column size; the columns stay as the
// migrations made them.

// maxChars validates that a string holds at most n characters (runes, not bytes).
func maxChars(n int) func(string) error {
	return func(s string) error {
		if utf8.RuneCountInString(s) > n {
			return fmt.Errorf("longer than %d characters", n)
		}
		return nil
	}
}
