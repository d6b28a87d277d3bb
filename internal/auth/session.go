package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vitrinehq/vitrine/ent/user"
)

// Session authenticates a long-lived connection (a GraphQL WebSocket) from an Authorization
// value, "Bearer <token>", with the same rules as Middleware. It returns ctx carrying the
// viewer and the token's expiry, after which the connection must end; or the UNAUTHENTICATED
// (or INTERNAL) *apperr.Error that Middleware would have given the request.
func (t *Tokens) Session(ctx context.Context, authorization string, lookup UserLookup) (context.Context, time.Time, error) {
	st := t.authenticate(ctx, authorization, lookup)
	if st.err != nil {
		return ctx, time.Time{}, st.err
	}
	// authenticate checked the form; only the expiry is read again.
	_, raw, _ := strings.Cut(authorization, " ")
	_, exp, err := t.verifyExpiry(strings.TrimSpace(raw))
	if err != nil {
		return ctx, time.Time{}, unauthenticated("the token is invalid; log in again")
	}
	return context.WithValue(ctx, ctxKey{}, st), exp, nil
}

// ErrUserGone is Recheck's refusal of a caller whose account no longer exists.
var ErrUserGone = errors.New("the token's user no longer exists")

// Recheck returns the check a long-lived connection runs now and then (live.Websocket's
// Recheck): the caller fixed when the connection was authenticated may go on only while their
// account exists with at least the role they had then. A deleted account or a lowered role
// (an admin demoted) is refused, so private data and admin-only fields stop flowing; the
// refusal's message is the close reason the client sees. A raised role is not taken up by the
// open connection: reconnect to use it. A failed lookup refuses nothing — the database being
// briefly unreachable is no reason to cut every connection — and is asked again next time.
func Recheck(lookup UserLookup) func(context.Context) error {
	return func(ctx context.Context) error {
		v := FromContext(ctx)
		if v == nil {
			return nil
		}
		role, found, err := lookup(ctx, v.UserID)
		switch {
		case err != nil:
			return nil
		case !found:
			return ErrUserGone
		case rank(role) < rank(v.Role):
			return fmt.Errorf("the user's role was lowered from %s to %s; reconnect", v.Role, role)
		}
		return nil
	}
}

// rank orders roles by what they may see.
func rank(r user.Role) int {
	if r == user.RoleADMIN {
		return 2
	}
	return 1
}
