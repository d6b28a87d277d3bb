package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/migrate/migrations"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// Generating a migration needs a dev database per dialect, which this package's tests already
// have (storetest, in-memory SQLite); so the generator is this test in golden-file style: without
// flags it fails when ent/schema has changes that no migration file has, and with -migration it
// writes them as a new file. See `make migration` and `make migration-sum`.
var (
	newMigration = flag.String("migration", "", "write ent/schema's changes as a new migration named this (make migration name=...)")
	rehash       = flag.Bool("rehash", false, "recompute each atlas.sum after adding a hand-written migration (make migration-sum)")
)

// migrationsDir is where the migration files are, seen from this package's directory.
const migrationsDir = "../../ent/migrate/migrations"

// TestMigrationsMatchSchema replays every committed migration file of each dialect on an empty
// database and asks ent for the difference to ent/schema: there must be none. The hand-written
// files run too (the replay uses the same engine), and the objects ent does not know (the search
// column, FTS table, counters, rollups) are not changes: ent neither drops columns nor indexes
// nor tables it does not model.
func TestMigrationsMatchSchema(t *testing.T) {
	// One version for both dialects, so the same change has the same version everywhere.
	version := time.Now().UTC().Format("20060102150405")
	for _, d := range []string{dialect.SQLite, dialect.Postgres} {
		t.Run(d, func(t *testing.T) {
			dir, err := migrate.NewLocalDir(filepath.Join(migrationsDir, migrations.Path(d)))
			require.NoError(t, err)
			if *rehash {
				sum, err := dir.Checksum()
				require.NoError(t, err)
				require.NoError(t, migrate.WriteSumFile(dir, sum))
			}
			name := *newMigration
			if name == "" {
				name = "changes"
			}
			added := diffSchema(t, d, dir, name, version)
			if len(added) == 0 {
				return
			}
			if *newMigration == "" {
				for _, f := range added {
					t.Errorf("ent/schema has changes that no migration has; run `make migration name=<what_changed>` and commit the files. %s would be:\n%s", f.Name(), f.Bytes())
				}
				return
			}
			for _, f := range added {
				require.NoError(t, dir.WriteFile(f.Name(), f.Bytes()))
				t.Logf("wrote %s", filepath.Join(dir.Path(), f.Name()))
			}
			sum, err := dir.Checksum()
			require.NoError(t, err)
			require.NoError(t, migrate.WriteSumFile(dir, sum))
		})
	}
}

// diffSchema runs ent's versioned diff (replay mode) on a fresh dev database of the dialect and
// returns the migration files it would add to dir.
func diffSchema(t *testing.T, d string, dir migrate.Dir, name, version string) []migrate.File {
	t.Helper()
	ctx := context.Background()
	db := devDB(t, d)
	files, err := dir.Files()
	require.NoError(t, err)
	// The diff writes into a copy, so that the check never touches the committed files.
	mem := &migrate.MemDir{}
	for _, f := range files {
		require.NoError(t, mem.WriteFile(f.Name(), f.Bytes()))
	}
	if sum, err := dir.Open(migrate.HashFileName); err == nil {
		var b bytes.Buffer
		_, err := b.ReadFrom(sum)
		require.NoError(t, err)
		require.NoError(t, mem.WriteFile(migrate.HashFileName, b.Bytes()))
	}
	client := ent.NewClient(ent.Driver(entsql.OpenDB(d, db)))
	err = client.Schema.NamedDiff(ctx, name,
		schema.WithDir(mem),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(d),
		schema.WithFormatter(versionFormatter(version)),
	)
	require.NoError(t, err)
	after, err := mem.Files()
	require.NoError(t, err)
	return after[len(files):]
}

// versionFormatter writes Atlas's file format with a given version instead of the current time.
type versionFormatter string

func (v versionFormatter) Format(plan *migrate.Plan) ([]migrate.File, error) {
	p := *plan
	p.Version = string(v)
	return migrate.DefaultFormatter.Format(&p)
}

// devDB returns an empty database of the dialect for Atlas to replay migrations on.
func devDB(t *testing.T, d string) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if d == dialect.Postgres {
		db, err = sql.Open("postgres", storetest.URL(t))
	} else {
		// One connection: each new connection to ":memory:" would be another empty database.
		db, err = sql.Open("sqlite", "file:dev?mode=memory&_pragma=foreign_keys(1)")
		db.SetMaxOpenConns(1)
	}
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}
