// Package account registers users, checks their passwords and bootstraps administrators.
package account

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/apperr"
)

// Password and name limits. bcrypt reads at most 72 bytes, so longer passwords are refused
// rather than silently truncated.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
	MaxNameLen     = 100
)

// Accounts manages users. Its methods return BAD_USER_INPUT and UNAUTHENTICATED *apperr.Error
// values for the caller's mistakes.
type Accounts struct {
	client *ent.Client
	cost   int
	// dummyHash is compared against when an email is unknown, so a failed login costs the
	// same bcrypt work whether or not the account exists.
	dummyHash []byte
}

// New returns Accounts hashing with the given bcrypt cost (bcrypt.DefaultCost in production;
// tests pass bcrypt.MinCost).
func New(client *ent.Client, cost int) (*Accounts, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("vitrine-timing-equaliser"), cost)
	if err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	return &Accounts{client: client, cost: cost, dummyHash: dummy}, nil
}

// NormalizeEmail trims and lower-cases an address and checks that it is a plain address.
func NormalizeEmail(field, raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", apperr.InvalidField(field, "%q is not a valid email address", raw)
	}
	return email, nil
}

// Register creates a USER account.
func (a *Accounts) Register(ctx context.Context, email, password, name string) (*ent.User, error) {
	return a.create(ctx, email, password, name, user.RoleUSER)
}

// CreateAdmin creates an ADMIN account.
func (a *Accounts) CreateAdmin(ctx context.Context, email, password, name string) (*ent.User, error) {
	return a.create(ctx, email, password, name, user.RoleADMIN)
}

func (a *Accounts) create(ctx context.Context, rawEmail, password, name string, role user.Role) (*ent.User, error) {
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameLen {
		return nil, apperr.InvalidField("name", "name must be 1 to %d characters", MaxNameLen)
	}
	db := a.client.For(ctx)
	taken, err := db.User.Query().Where(user.Email(email)).Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("check email: %w", err)
	}
	if taken {
		return nil, apperr.InvalidField("email", "an account with this email already exists")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.cost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	u, err := db.User.Create().SetEmail(email).SetDisplayName(name).SetPasswordHash(string(hash)).SetRole(role).Save(ctx)
	if ent.IsConstraintError(err) {
		// Lost a race with a concurrent registration of the same email.
		return nil, apperr.InvalidField("email", "an account with this email already exists")
	}
	return u, err
}

func checkPassword(p string) error {
	if utf8.RuneCountInString(p) < MinPasswordLen {
		return apperr.InvalidField("password", "password must be at least %d characters", MinPasswordLen)
	}
	if len(p) > MaxPasswordLen {
		return apperr.InvalidField("password", "password must be at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// errBadCredentials is one message for unknown emails and wrong passwords alike, so the
// response does not reveal which accounts exist.
var errBadCredentials = apperr.Errorf(apperr.Unauthenticated, "wrong email or password")

// Login returns the user whose email and password match.
func (a *Accounts) Login(ctx context.Context, rawEmail, password string) (*ent.User, error) {
	email := strings.ToLower(strings.TrimSpace(rawEmail))
	u, err := a.client.For(ctx).User.Query().Where(user.Email(email)).Only(ctx)
	if ent.IsNotFound(err) {
		_ = bcrypt.CompareHashAndPassword(a.dummyHash, []byte(password))
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return nil, errBadCredentials
	}
	return u, nil
}

// Lookup returns a user's current role for token verification.
func (a *Accounts) Lookup(ctx context.Context, id int) (user.Role, bool, error) {
	u, err := a.client.User.Query().Where(user.ID(id)).Select(user.FieldRole).Only(ctx)
	if ent.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return u.Role, true, nil
}

// Demo accounts created with the demo catalog (never in production mode), so the playground
// can try mutations at once. The README lists them.
var demoAccounts = []struct {
	email, password, name string
	role                  user.Role
}{
	{"admin@demo.vitrine.dev", "demo-admin-password", "Demo Admin", user.RoleADMIN},
	{"shopper@demo.vitrine.dev", "demo-shopper-password", "Demo Shopper", user.RoleUSER},
}

// CreateDemoAccounts creates the documented demo admin and demo user if they do not exist.
func (a *Accounts) CreateDemoAccounts(ctx context.Context) error {
	for _, d := range demoAccounts {
		exists, err := a.client.For(ctx).User.Query().Where(user.Email(d.email)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("check demo account: %w", err)
		}
		if exists {
			continue
		}
		if _, err := a.create(ctx, d.email, d.password, d.name, d.role); err != nil {
			return fmt.Errorf("create demo account %s: %w", d.email, err)
		}
	}
	return nil
}
