package config

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDatabaseURLErrorsNameTheVariableAndHideThePassword: a wrong DATABASE_URL is refused at
// start with the variable's name, and no form of the value lets its password through.
func TestDatabaseURLErrorsNameTheVariableAndHideThePassword(t *testing.T) {
	const password = "S3CRETPW"
	tests := []struct {
		name, key, value string
	}{
		{"ErrOtherScheme", "DATABASE_URL", "mysql://root:" + password + "@db.internal:3306/vitrine"},
		{"ErrKeyValueString", "DATABASE_URL", "host=db.internal user=root password=" + password},
		{"ErrNoScheme", "DATABASE_URL", "root:" + password + "@db.internal/vitrine"},
		{"ErrBadEscape", "DATABASE_URL", "postgres://root:" + password + "%zz@db.internal/vitrine"},
		{"ErrReplica", "DATABASE_REPLICA_URLS", "postgres://ok@primary/db,mysql://root:" + password + "@replica/vitrine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{tt.key: tt.value}
			if tt.key != "DATABASE_URL" {
				env["DATABASE_URL"] = "postgres://ok@primary/db"
			}
			_, err := load(env)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.key)
			require.NotContains(t, err.Error(), password)
		})
	}
	t.Run("PostgresURLAccepted", func(t *testing.T) {
		for _, u := range []string{"postgres://u:p@h:5432/db?sslmode=disable", "postgresql:///vitrine?host=/var/run/postgresql"} {
			c, err := load(map[string]string{"DATABASE_URL": u})
			require.NoError(t, err)
			require.Equal(t, u, c.DatabaseURL)
		}
	})
}

// TestHelpShowsNoSecret: flags print their defaults, which come from the environment; the
// secrets among them show masked.
func TestHelpShowsNoSecret(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":          "postgres://app:DBPASSWORD@db:5432/vitrine?password=DBPASSWORD",
		"DATABASE_REPLICA_URLS": "postgres://app:REPLICAPW@replica:5432/vitrine",
		"VITRINE_JWT_SECRET":    "JWTSECRETJWTSECRETJWTSECRETJWTSECRET",
		"VITRINE_REDIS_URL":     "redis://:REDISPW@redis:6379/0",
	}
	var out bytes.Buffer
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(&out)
	Define(fs, func(k string) string { return env[k] }, ScopeServe)
	fs.PrintDefaults()
	for _, s := range []string{"DBPASSWORD", "REPLICAPW", "JWTSECRET", "REDISPW"} {
		require.NotContains(t, out.String(), s)
	}
	require.Contains(t, out.String(), "postgres://app:xxxxx@db:5432/vitrine", "the rest of the URL helps")
}
