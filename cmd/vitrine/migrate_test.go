package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/config"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// TestProductionMigratesDeliberately walks the production upgrade on both stores: serve refuses
// an outdated schema and says what to run, `vitrine migrate -status` lists what is pending,
// `vitrine migrate` applies it, and serve then starts.
func TestProductionMigratesDeliberately(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			env := map[string]string{"VITRINE_DATA_DIR": t.TempDir(), "VITRINE_ENV": "production", "VITRINE_JWT_SECRET": strings.Repeat("s", 40)}
			if kind == "postgres" {
				env["DATABASE_URL"] = storetest.URL(t)
			}
			getenv := func(k string) string { return env[k] }
			cfg, _, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), getenv, nil)
			require.NoError(t, err)
			st, err := openStore(ctx, cfg)
			require.NoError(t, err)
			defer st.Close()
			status, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			latest := status.Latest
			serve := func() error {
				return run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, getenv, nil, &bytes.Buffer{}, nil)
			}

			require.EqualError(t, serve(), `database schema is empty, this binary needs version `+latest+
				`: run "vitrine migrate" (or set VITRINE_AUTO_MIGRATE=true)`)
			var out bytes.Buffer
			require.NoError(t, run(ctx, []string{"migrate", "-status"}, getenv, nil, &out, nil))
			require.Contains(t, out.String(), "schema at version none; this binary's latest is "+latest)
			require.Contains(t, out.String(), "pending  "+latest+"_")
			require.NotContains(t, out.String(), "applied ")

			out.Reset()
			require.NoError(t, run(ctx, []string{"migrate"}, getenv, nil, &out, nil))
			require.Contains(t, out.String(), "applied "+latest+"_")
			require.Contains(t, out.String(), "schema is up to date")
			out.Reset()
			require.NoError(t, run(ctx, []string{"migrate", "-status"}, getenv, nil, &out, nil))
			require.NotContains(t, out.String(), "pending")
			require.Contains(t, out.String(), "applied  "+latest+"_")
			startServer(t, env)

			// A binary with a migration the database has not run (as after an upgrade).
			_, err = st.DB.ExecContext(ctx, `DELETE FROM atlas_schema_revisions WHERE version = '`+latest+`'`)
			require.NoError(t, err)
			status, err = st.SchemaStatus(ctx)
			require.NoError(t, err)
			require.EqualError(t, serve(), `database schema is at version `+status.Current+`, this binary needs `+latest+
				`: run "vitrine migrate" (or set VITRINE_AUTO_MIGRATE=true)`)
		})
	}
}

// TestDevelopmentMigratesAutomatically: out of production, serve brings an empty database to
// the latest schema by itself.
func TestDevelopmentMigratesAutomatically(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": storetest.URL(t), "VITRINE_DATA_DIR": t.TempDir()}
	startServer(t, env)
	st, err := store.Open(ctx, store.Options{DatabaseURL: env["DATABASE_URL"]})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.CheckSchema(ctx))
}
