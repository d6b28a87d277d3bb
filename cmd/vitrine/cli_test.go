package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestHelp: every command answers -h with its own usage on stdout and success; the root lists
// the commands, not serve's flags, and each command lists only the flags it reads.
func TestHelp(t *testing.T) {
	tests := []struct {
		name          string
		args          []string
		want, notWant []string
	}{
		{"Root", []string{"--help"}, []string{"SUBCOMMANDS", "migrate", "seed", "user", "healthcheck", "documents", "schema"}, []string{"-jwt-secret", "-addr"}},
		{"RootShort", []string{"-h"}, []string{"SUBCOMMANDS"}, []string{"-jwt-secret"}},
		{"RootHelpWord", []string{"help"}, []string{"SUBCOMMANDS"}, []string{"-jwt-secret"}},
		{"Serve", []string{"serve", "-h"}, []string{"-jwt-secret", "-max-cost", "-addr", "VITRINE_INTROSPECTION"}, nil},
		{"Migrate", []string{"migrate", "-h"}, []string{"-status", "-rebuild-aggregates", "-database-url", "DATABASE_URL"}, []string{"-jwt-secret", "-max-cost", "-addr", "-redis-url"}},
		{"Seed", []string{"seed", "--help"}, []string{"-database-url", "-data-dir"}, []string{"-jwt-secret", "-status", "-max-cost"}},
		{"User", []string{"user", "-h"}, []string{"create-admin"}, []string{"-jwt-secret"}},
		{"CreateAdmin", []string{"user", "create-admin", "-h"}, []string{"-email", "-password-stdin", "-database-url"}, []string{"-jwt-secret", "-max-cost"}},
		{"Healthcheck", []string{"healthcheck", "-h"}, []string{"-addr"}, []string{"-database-url"}},
		{"Documents", []string{"documents", "hash", "-h"}, []string{"documents hash PATH"}, []string{"-database-url"}},
		{"Schema", []string{"schema", "-h"}, []string{"-subgraph", "diff"}, []string{"-database-url", "-jwt-secret"}},
		{"SchemaDiff", []string{"schema", "diff", "-h"}, []string{"vitrine schema diff OLD NEW"}, []string{"-subgraph"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), tt.args, func(string) string { return "" }, nil, &out, nil), "-h exits 0")
			for _, s := range tt.want {
				require.Contains(t, out.String(), s)
			}
			for _, s := range tt.notWant {
				require.NotContains(t, out.String(), s)
			}
		})
	}
}

// TestFlagErrors: a bad flag is reported once, by the error main prints, naming the command;
// nothing else reaches stdout.
func TestFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"UnknownFlag", []string{"migrate", "-bogus"}, `flag provided but not defined: -bogus (run "vitrine migrate -h" for its flags)`},
		{"ServerFlagOnMigrate", []string{"migrate", "-jwt-secret", "x"}, "flag provided but not defined: -jwt-secret"},
		{"BadValue", []string{"serve", "-db-max-open-conns", "many"}, `invalid value "many" for flag -db-max-open-conns`},
		{"Nested", []string{"user", "create-admin", "-bogus"}, `run "vitrine user create-admin -h"`},
		{"UnexpectedArgument", []string{"seed", "now"}, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, func(string) string { return "" }, nil, &out, nil)
			require.ErrorContains(t, err, tt.want)
			require.Empty(t, out.String())
			require.Equal(t, 1, strings.Count(err.Error(), "flag provided")+strings.Count(err.Error(), "invalid value")+strings.Count(err.Error(), "unexpected argument"))
		})
	}
}

// TestMigrateStatusInProductionNeedsNoJWTSecret: the JWT secret is serve's setting; migrating
// a production database must not ask for it.
func TestMigrateStatusInProductionNeedsNoJWTSecret(t *testing.T) {
	env := map[string]string{"VITRINE_ENV": "production", "VITRINE_DATA_DIR": t.TempDir()}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"migrate", "-status"}, func(k string) string { return env[k] }, nil, &out, nil))
	require.Contains(t, out.String(), "pending")
	err := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, &out, nil)
	require.ErrorContains(t, err, "VITRINE_JWT_SECRET", "serve still requires it")
}

// TestDatabaseErrorsNameTheVariable: failures to open Postgres name DATABASE_URL, never show
// its password, and a database that does not exist yet comes with how to create it.
func TestDatabaseErrorsNameTheVariable(t *testing.T) {
	u, err := url.Parse(storetest.URL(t))
	require.NoError(t, err)
	u.User = url.UserPassword(orDefault(u.User.Username(), "postgres"), "S3CRETPW") // ignored by trust auth
	missing := *u
	missing.Path = "/vitrine_missing_" + strconv.Itoa(os.Getpid())
	refused := *u
	refused.Host = "127.0.0.1:1"
	tests := []struct {
		name string
		url  string
		want []string
	}{
		{"ErrDatabaseMissing", missing.String(), []string{"DATABASE_URL postgres://", `database "` + strings.TrimPrefix(missing.Path, "/") + `" does not exist`, "createdb -h", "CREATE DATABASE"}},
		{"ErrRefused", refused.String(), []string{"DATABASE_URL postgres://", "127.0.0.1:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": tt.url}
			err := run(context.Background(), []string{"migrate", "-status"}, func(k string) string { return env[k] }, nil, io.Discard, nil)
			require.Error(t, err)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
			require.NotContains(t, err.Error(), "S3CRETPW")
		})
	}
}

// TestNoCommandServes: `vitrine` alone runs serve, as the container image's entry point did.
func TestNoCommandServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_ADDR": "127.0.0.1:0"}
	listened := false
	err := run(ctx, nil, func(k string) string { return env[k] }, nil, io.Discard, func(net.Addr) { listened = true; cancel() })
	require.NoError(t, err)
	require.True(t, listened)
}
