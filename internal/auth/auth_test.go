package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/apperr"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// through runs a request with the given Authorization header through the middleware and
// returns what the inner handler saw.
func through(t *testing.T, tok *Tokens, header string, lookup UserLookup) (*Viewer, error) {
	t.Helper()
	var v *Viewer
	var err error
	h := tok.Middleware(lookup)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		v, err = FromContext(r.Context()), CredentialError(r.Context())
	}))
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	h.ServeHTTP(httptest.NewRecorder(), r)
	return v, err
}

// users is a lookup over a fixed table; the role comes from here, not from the token.
func users(roles map[int]user.Role) UserLookup {
	return func(_ context.Context, id int) (user.Role, bool, error) {
		r, ok := roles[id]
		return r, ok, nil
	}
}

func newTokens(t *testing.T, secret []byte) *Tokens {
	t.Helper()
	tok, err := NewTokens(secret, time.Hour, "vitrine", "vitrine-api")
	require.NoError(t, err)
	return tok
}

// forge re-signs nothing: it swaps a token's header for one naming alg, keeping the signature.
func forge(raw, header string) string {
	_, rest, _ := strings.Cut(raw, ".")
	return base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + rest
}

func TestTokensAuthenticateTheirUserWithTheDatabaseRole(t *testing.T) {
	tok := newTokens(t, secret)
	other := newTokens(t, []byte("another-secret-another-secret-!!"))
	issued, exp, err := tok.Issue(7, user.RoleADMIN)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), exp, 2*time.Second)
	foreign, _, err := other.Issue(7, user.RoleADMIN)
	require.NoError(t, err)

	expired := newTokens(t, secret)
	expired.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	old, _, err := expired.Issue(7, user.RoleUSER)
	require.NoError(t, err)

	future := newTokens(t, secret)
	future.now = func() time.Time { return time.Now().Add(time.Hour) }
	early, _, err := future.Issue(7, user.RoleUSER)
	require.NoError(t, err)

	demoted := users(map[int]user.Role{7: user.RoleUSER})
	for _, tc := range []struct {
		name    string
		header  string
		lookup  UserLookup
		want    *Viewer
		errLike string // substring of the UNAUTHENTICATED message; "" for no error
	}{
		{"no header is anonymous", "", demoted, nil, ""},
		{"a valid token signs in with the database's role", "Bearer " + issued, demoted, &Viewer{UserID: 7, Role: user.RoleUSER}, ""},
		{"the scheme is case-insensitive", "bearer " + issued, demoted, &Viewer{UserID: 7, Role: user.RoleUSER}, ""},
		{"another scheme is refused", "Basic " + issued, demoted, nil, `"Bearer <token>"`},
		{"an empty token is refused", "Bearer  ", demoted, nil, `"Bearer <token>"`},
		{"another server's token is invalid", "Bearer " + foreign, demoted, nil, "invalid"},
		{"an expired token says so", "Bearer " + old, demoted, nil, "expired"},
		{"a deleted user's token is refused", "Bearer " + issued, users(nil), nil, "no longer exists"},
		{"a header naming RS256 is refused", "Bearer " + forge(issued, `{"alg":"RS256","typ":"JWT"}`), demoted, nil, "invalid"},
		{"a header naming none is refused", "Bearer " + forge(issued, `{"alg":"none"}`), demoted, nil, "invalid"},
		{"garbage is refused", "Bearer not.a.jwt", demoted, nil, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := through(t, tok, tc.header, tc.lookup)
			require.Equal(t, tc.want, v)
			if tc.errLike == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
			require.Contains(t, err.Error(), tc.errLike)
		})
	}
	// Issued an hour ahead, the token's iat is beyond the 30 s skew.
	v, err := through(t, tok, "Bearer "+early, demoted)
	require.Nil(t, v)
	require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
}

func TestLookupFailureIsInternalNotUnauthenticated(t *testing.T) {
	tok := newTokens(t, secret)
	raw, _, err := tok.Issue(3, user.RoleUSER)
	require.NoError(t, err)
	v, err := through(t, tok, "Bearer "+raw, func(context.Context, int) (user.Role, bool, error) {
		return "", false, errors.New("connection refused")
	})
	require.Nil(t, v)
	require.Equal(t, apperr.Internal, apperr.CodeOf(err))
	require.NotContains(t, err.(*apperr.Error).Message, "connection refused", "the cause stays out of the client's message")
}

func TestNewTokensRefusesAnEmptySecretOrTTL(t *testing.T) {
	_, err := NewTokens(nil, time.Hour, "i", "a")
	require.Error(t, err)
	_, err = NewTokens(secret, 0, "i", "a")
	require.Error(t, err)
}

func TestSignInChangesTheCallerForTheRestOfTheRequest(t *testing.T) {
	ctx := NewContext(context.Background(), nil)
	require.Nil(t, FromContext(ctx))
	require.False(t, FromContext(ctx).IsAdmin())
	SignIn(ctx, &Viewer{UserID: 4, Role: user.RoleADMIN})
	require.Equal(t, &Viewer{UserID: 4, Role: user.RoleADMIN}, FromContext(ctx))
	require.True(t, FromContext(ctx).IsAdmin())
	SignIn(context.Background(), &Viewer{UserID: 5}) // no request state: a no-op, not a panic
}

func TestRecheckRefusesGoneUsersAndLoweredRoles(t *testing.T) {
	failing := func(context.Context, int) (user.Role, bool, error) {
		return "", false, errors.New("database restarting")
	}
	for _, tt := range []struct {
		name   string
		caller *Viewer
		lookup UserLookup
		want   string // "" allowed, else a part of the refusal
	}{
		{"Anonymous", nil, users(nil), ""},
		{"Unchanged", &Viewer{UserID: 1, Role: user.RoleADMIN}, users(map[int]user.Role{1: user.RoleADMIN}), ""},
		{"Deleted", &Viewer{UserID: 1, Role: user.RoleUSER}, users(nil), "no longer exists"},
		{"AdminDemoted", &Viewer{UserID: 1, Role: user.RoleADMIN}, users(map[int]user.Role{1: user.RoleUSER}), "lowered from ADMIN to USER"},
		{"UserPromotedKeepsGoing", &Viewer{UserID: 1, Role: user.RoleUSER}, users(map[int]user.Role{1: user.RoleADMIN}), ""},
		{"LookupFailedKeepsGoing", &Viewer{UserID: 1, Role: user.RoleADMIN}, failing, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Recheck(tt.lookup)(NewContext(context.Background(), tt.caller))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
		})
	}
}
