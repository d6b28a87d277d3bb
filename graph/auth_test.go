package graph_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// forge signs arbitrary claims; edit lets a case break one thing about an otherwise valid token.
func forge(t *testing.T, userID int, alg jwa.SignatureAlgorithm, secret []byte, edit func(jwt.Token)) string {
	t.Helper()
	tok := jwt.New()
	now := time.Now()
	for k, v := range map[string]any{
		jwt.SubjectKey: relay.Encode(userID), jwt.IssuerKey: testIssuer, jwt.AudienceKey: testAudience,
		jwt.IssuedAtKey: now, jwt.ExpirationKey: now.Add(time.Hour), "role": "ADMIN",
	} {
		require.NoError(t, tok.Set(k, v))
	}
	if edit != nil {
		edit(tok)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(alg, secret))
	require.NoError(t, err)
	return string(signed)
}

// unsigned builds an "alg: none" token by hand; jwx refuses to produce one.
func unsigned(t *testing.T, userID int) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	claims, err := json.Marshal(map[string]any{"sub": relay.Encode(userID), "iss": testIssuer, "aud": testAudience,
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "role": "ADMIN"})
	require.NoError(t, err)
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(claims) + "."
}

// handSigned builds an HMAC-SHA256-signed token by hand from a raw header and claims, for
// tokens jwx would not produce: a header naming another algorithm, claims of the wrong type.
func handSigned(t *testing.T, header string, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	input := enc([]byte(header)) + "." + enc(payload)
	mac := hmac.New(sha256.New, testSecret)
	mac.Write([]byte(input))
	return input + "." + enc(mac.Sum(nil))
}

// validClaims are the claims of a valid admin token; cases change one.
func validClaims(userID int, edit func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{"sub": relay.Encode(userID), "iss": testIssuer, "aud": testAudience,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "role": "ADMIN"}
	if edit != nil {
		edit(c)
	}
	return c
}

// badCredentials are Authorization headers that must be refused, each for one reason.
func badCredentials(t *testing.T, e *env) map[string]string {
	admin := e.fx.users[0].ID
	set := func(k string, v any) func(jwt.Token) {
		return func(tok jwt.Token) { require.NoError(t, tok.Set(k, v)) }
	}
	return map[string]string{
		"Expired":        "Bearer " + forge(t, admin, jwa.HS256, testSecret, set(jwt.ExpirationKey, time.Now().Add(-time.Hour))),
		"NotYetValid":    "Bearer " + forge(t, admin, jwa.HS256, testSecret, set(jwt.NotBeforeKey, time.Now().Add(time.Hour))),
		"BadSignature":   "Bearer " + forge(t, admin, jwa.HS256, []byte("another-secret-another-secret-1234"), nil),
		"AlgNone":        "Bearer " + unsigned(t, admin),
		"OtherAlgorithm": "Bearer " + forge(t, admin, jwa.HS512, testSecret, nil),
		"WrongIssuer":    "Bearer " + forge(t, admin, jwa.HS256, testSecret, set(jwt.IssuerKey, "someone-else")),
		"WrongAudience":  "Bearer " + forge(t, admin, jwa.HS256, testSecret, set(jwt.AudienceKey, "other-app")),
		"NoExpiry": "Bearer " + forge(t, admin, jwa.HS256, testSecret, func(tok jwt.Token) {
			require.NoError(t, tok.Remove(jwt.ExpirationKey))
		}),
		"UnknownUser": "Bearer " + forge(t, e.fx.users[2].ID+999, jwa.HS256, testSecret, nil),
		// RFC 8725 §3.1: the header's alg must be the configured one, even when the bytes are
		// an HMAC with the secret.
		"HeaderSaysRS256":  "Bearer " + handSigned(t, `{"alg":"RS256","typ":"JWT"}`, validClaims(admin, nil)),
		"HeaderSaysHS512":  "Bearer " + handSigned(t, `{"alg":"HS512","typ":"JWT"}`, validClaims(admin, nil)),
		"HeaderWithoutAlg": "Bearer " + handSigned(t, `{"typ":"JWT"}`, validClaims(admin, nil)),
		// RFC 7519 §4.1.4: registered time claims are NumericDate, a JSON number.
		"ExpiryAsString": "Bearer " + handSigned(t, `{"alg":"HS256","typ":"JWT"}`, validClaims(admin, func(c map[string]any) {
			c["exp"] = strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		})),
		"IssuedAtAsString": "Bearer " + handSigned(t, `{"alg":"HS256","typ":"JWT"}`, validClaims(admin, func(c map[string]any) {
			c["iat"] = strconv.FormatInt(time.Now().Unix(), 10)
		})),
		"NotBeforeAsDate": "Bearer " + handSigned(t, `{"alg":"HS256","typ":"JWT"}`, validClaims(admin, func(c map[string]any) {
			c["nbf"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
		})),
		"NotBearer":     "Basic YWRtaW46YWRtaW4=",
		"EmptyBearer":   "Bearer ",
		"Garbage":       "Bearer not.a.jwt",
		"ForgedSubject": "Bearer " + forge(t, 0, jwa.HS256, testSecret, set(jwt.SubjectKey, "1")),
	}
}

func TestBadTokensAreRefusedEverywhere(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		for name, header := range badCredentials(t, e) {
			t.Run(name, func(t *testing.T) {
				// Even a public read is refused, so clients notice a broken session.
				got := e.as(header).MustError(t, "UNAUTHENTICATED", `{ products(first: 1) { totalCount } }`, nil)
				require.Contains(t, got.Message, "refused")
				e.as(header).MustError(t, "UNAUTHENTICATED", `mutation { deleteProduct(id: "`+relay.Encode(e.fx.products[0].ID)+`") }`, nil)
			})
		}
		// The hand-built tokens above fail for their one defect: the same construction with a
		// correct header and numeric claims is accepted.
		var who struct{ Me struct{ ID string } }
		e.as("Bearer "+handSigned(t, `{"alg":"HS256","typ":"JWT"}`, validClaims(e.fx.users[0].ID, nil))).
			MustData(t, &who, `{ me { id } }`, nil)
		require.Equal(t, relay.Encode(e.fx.users[0].ID), who.Me.ID)
		// A deleted user's token stops working at once.
		u := e.fx.users[2]
		client := e.asUser(t, u)
		var me struct{ Me struct{ ID string } }
		client.MustData(t, &me, `{ me { id } }`, nil)
		require.Equal(t, relay.Encode(u.ID), me.Me.ID)
		e.st.Client.User.DeleteOne(u).ExecX(context.Background())
		client.MustError(t, "UNAUTHENTICATED", `{ me { id } }`, nil)
	})
}

func TestRegisterAndLogin(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		const register = `mutation($in: RegisterInput!) { register(input: $in) { token expiresAt user { id displayName email role } } }`
		var reg struct {
			Register struct {
				Token     string
				ExpiresAt time.Time
				User      struct{ ID, DisplayName, Email, Role string }
			}
		}
		e.gql.MustData(t, &reg, register, map[string]any{"in": map[string]any{
			"email": "  Ada.Lovelace@Example.COM ", "password": "correct horse", "name": "Ada"}})
		require.Equal(t, "ada.lovelace@example.com", reg.Register.User.Email)
		require.Equal(t, "USER", reg.Register.User.Role)
		require.WithinDuration(t, time.Now().Add(time.Hour), reg.Register.ExpiresAt, time.Minute)

		var me struct{ Me struct{ ID, Email string } }
		e.as("Bearer "+reg.Register.Token).MustData(t, &me, `{ me { id email } }`, nil)
		require.Equal(t, reg.Register.User.ID, me.Me.ID)
		var anon struct{ Me *struct{ ID string } }
		e.gql.MustData(t, &anon, `{ me { id } }`, nil)
		require.Nil(t, anon.Me)

		const login = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { id } } }`
		var in struct{ Login struct{ Token string } }
		e.gql.MustData(t, &in, login, map[string]any{"e": "ADA.lovelace@example.com", "p": "correct horse"})
		require.NotEmpty(t, in.Login.Token)

		wrong := e.gql.MustError(t, "UNAUTHENTICATED", login, map[string]any{"e": "ada.lovelace@example.com", "p": "wrong horse"})
		unknown := e.gql.MustError(t, "UNAUTHENTICATED", login, map[string]any{"e": "nobody@example.com", "p": "correct horse"})
		require.Equal(t, wrong.Message, unknown.Message, "the message must not reveal which emails exist")

		users := e.st.Client.User.Query().CountX(context.Background())
		for _, tt := range []struct {
			name, email, password, display, field string
		}{
			{"ErrDuplicateEmail", "ADA.LOVELACE@example.com ", "password123", "Ada 2", "email"},
			{"ErrInvalidEmail", "not-an-email", "password123", "X", "email"},
			{"ErrEmailWithName", "Ada <ada@example.com>", "password123", "X", "email"},
			{"ErrShortPassword", "short@example.com", "1234567", "X", "password"},
			{"ErrLongPassword", "long@example.com", strings.Repeat("p", 73), "X", "password"},
			{"ErrBlankName", "blank@example.com", "password123", "  ", "name"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got := e.gql.MustError(t, "BAD_USER_INPUT", register, map[string]any{"in": map[string]any{
					"email": tt.email, "password": tt.password, "name": tt.display}})
				require.Equal(t, tt.field, got.Extensions["field"])
			})
		}
		require.Equal(t, users, e.st.Client.User.Query().CountX(context.Background()), "failed registrations wrote nothing")
	})
}

func TestPrivateUserFields(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin, alice, bob := e.fx.users[0], e.fx.users[1], e.fx.users[2]
		const q = `query($id: ID!) { node(id: $id) { ... on User { displayName email role } } }`
		type out struct {
			Node struct {
				DisplayName string
				Email, Role *string
			}
		}
		vars := map[string]any{"id": relay.Encode(alice.ID)}
		for name, c := range map[string]struct {
			client  func() *gqltest.Client
			visible bool
		}{
			"Anonymous": {func() *gqltest.Client { return e.gql }, false},
			"OtherUser": {func() *gqltest.Client { return e.asUser(t, bob) }, false},
			"Self":      {func() *gqltest.Client { return e.asUser(t, alice) }, true},
			"Admin":     {func() *gqltest.Client { return e.asUser(t, admin) }, true},
		} {
			t.Run(name, func(t *testing.T) {
				var got out
				c.client().MustData(t, &got, q, vars)
				require.Equal(t, "User 1", got.Node.DisplayName)
				if c.visible {
					require.Equal(t, alice.Email, *got.Node.Email)
					require.Equal(t, "USER", *got.Node.Role)
				} else {
					require.Nil(t, got.Node.Email)
					require.Nil(t, got.Node.Role)
				}
			})
		}
	})
}

// Failed logins for unknown and known emails must cost about the same (both run bcrypt), so
// timing does not reveal which accounts exist.
func TestLoginTimingDoesNotRevealAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnvWithCost(t, st, bcrypt.DefaultCost)
		e.gql.MustData(t, &struct{}{}, `mutation { register(input: {email: "known@example.com", password: "password123", name: "K"}) { token } }`, nil)
		const login = `mutation($e: String!) { login(email: $e, password: "not-the-password") { token } }`
		measure := func(email string) time.Duration {
			var total time.Duration
			for range 5 {
				start := time.Now()
				e.gql.MustError(t, "UNAUTHENTICATED", login, map[string]any{"e": email})
				total += time.Since(start)
			}
			return total / 5
		}
		known, unknown := measure("known@example.com"), measure("unknown@example.com")
		ratio := float64(known) / float64(unknown)
		t.Logf("failed login: known email %v, unknown email %v (ratio %.2f)", known, unknown, ratio)
		require.True(t, ratio > 0.1 && ratio < 10, "failed logins must cost the same order of magnitude (ratio %.2f)", ratio)
	})
}
