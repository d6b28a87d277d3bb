package auth

import (
	"context"
	"strings"
	"time"
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
