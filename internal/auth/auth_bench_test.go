package auth

import (
	"testing"
	"time"

	"github.com/vitrinehq/vitrine/ent/user"
)

// BenchmarkVerify measures a token check, header and claim form included (checkForm), to
// size what RFC 8725's checks add to every authenticated request.
func BenchmarkVerify(b *testing.B) {
	tokens, err := NewTokens([]byte("bench-secret-bench-secret-bench-secret"), time.Hour, "vitrine", "vitrine")
	if err != nil {
		b.Fatal(err)
	}
	tok, _, err := tokens.Issue(42, user.RoleUSER)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := tokens.verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CheckFormOnly", func(b *testing.B) {
		for b.Loop() {
			if err := checkForm(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
