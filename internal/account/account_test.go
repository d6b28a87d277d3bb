package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newAccounts(t *testing.T, st *store.Store) *account.Accounts {
	t.Helper()
	a, err := account.New(st.Client, bcrypt.MinCost)
	require.NoError(t, err)
	return a
}

func requireField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	require.True(t, ok, "want an *apperr.Error, got %v", err)
	require.Equal(t, code, e.Code, e.Message)
	require.Equal(t, field, e.Field)
}

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct {
		raw, want string // want "" means refused
	}{
		{"  Ada@Example.COM ", "ada@example.com"},
		{"a.b+tag@sub.example.org", "a.b+tag@sub.example.org"},
		{"Ada <ada@example.com>", ""},
		{"ada@localhost", ""},
		{"ada", ""},
		{"", ""},
		{strings.Repeat("a", 250) + "@example.com", ""},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := account.NormalizeEmail("input.email", tc.raw)
			if tc.want == "" {
				requireField(t, err, apperr.BadInput, "input.email")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestRegisterRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newAccounts(t, st)
		ctx := context.Background()
		u, err := a.Register(ctx, " Ada@Example.com", "correct horse", "  Ada ")
		require.NoError(t, err)
		require.Equal(t, "ada@example.com", u.Email)
		require.Equal(t, "Ada", u.DisplayName)
		require.Equal(t, user.RoleUSER, u.Role)
		require.NotContains(t, u.PasswordHash, "correct horse")

		for _, tc := range []struct {
			name, email, password, dname, field string
		}{
			{"taken email, any case", "ADA@example.com", "another pass", "Ada2", "email"},
			{"password under 8 characters", "b@example.com", "1234567", "B", "password"},
			{"password over 72 bytes", "b@example.com", strings.Repeat("é", 37), "B", "password"},
			{"blank name", "b@example.com", "long enough", "   ", "name"},
			{"name over 100 characters", "b@example.com", "long enough", strings.Repeat("n", account.MaxNameLen+1), "name"},
			{"invalid email", "not-an-email", "long enough", "B", "email"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := a.Register(ctx, tc.email, tc.password, tc.dname)
				requireField(t, err, apperr.BadInput, tc.field)
			})
		}
		// Eight multi-byte characters are eight characters; 72 ASCII bytes is the bcrypt limit.
		_, err = a.Register(ctx, "c@example.com", "éééééééé", "C")
		require.NoError(t, err)
		_, err = a.Register(ctx, "d@example.com", strings.Repeat("p", account.MaxPasswordLen), "D")
		require.NoError(t, err)
		require.Equal(t, 3, st.Client.User.Query().CountX(ctx))
	})
}

func TestLoginRefusesUnknownEmailAndWrongPasswordAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newAccounts(t, st)
		ctx := context.Background()
		admin, err := a.CreateAdmin(ctx, "root@example.com", "admin password", "Root")
		require.NoError(t, err)
		require.Equal(t, user.RoleADMIN, admin.Role)

		got, err := a.Login(ctx, " ROOT@example.com ", "admin password")
		require.NoError(t, err)
		require.Equal(t, admin.ID, got.ID)

		_, wrong := a.Login(ctx, "root@example.com", "admin passwore")
		_, unknown := a.Login(ctx, "nobody@example.com", "admin password")
		requireField(t, wrong, apperr.Unauthenticated, "")
		requireField(t, unknown, apperr.Unauthenticated, "")
		require.Equal(t, wrong.Error(), unknown.Error(), "the response must not reveal which accounts exist")

		role, found, err := a.Lookup(ctx, admin.ID)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, user.RoleADMIN, role)
		_, found, err = a.Lookup(ctx, admin.ID+1000)
		require.NoError(t, err)
		require.False(t, found)
	})
}

func TestCreateDemoAccountsIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newAccounts(t, st)
		ctx := context.Background()
		require.NoError(t, a.CreateDemoAccounts(ctx))
		require.NoError(t, a.CreateDemoAccounts(ctx))
		require.Equal(t, 2, st.Client.User.Query().CountX(ctx))
		require.Equal(t, 1, st.Client.User.Query().Where(user.RoleEQ(user.RoleADMIN)).CountX(ctx))
	})
}
