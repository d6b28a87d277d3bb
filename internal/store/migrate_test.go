package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent/migrate/migrations"
	"github.com/vitrinehq/vitrine/ent/product"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// target is a database location both a store and a fixture loader can open.
type target struct {
	kind    string
	opts    store.Options
	pgURL   string
	sqlFile string
}

func newTarget(t *testing.T, kind string) target {
	t.Helper()
	tg := target{kind: kind, opts: store.Options{DataDir: t.TempDir()}}
	if kind == "postgres" {
		tg.pgURL = storetest.URL(t)
		tg.opts.DatabaseURL = tg.pgURL
	}
	tg.sqlFile = filepath.Join(tg.opts.DataDir, "vitrine.db")
	return tg
}

// open opens the target without migrating it; each call is a separate pool, as another process
// would have.
func (tg target) open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), tg.opts)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

// requireLatest checks that every migration ran, and that ent sees no difference between the
// database and ent/schema.
func requireLatest(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	status, err := st.SchemaStatus(ctx)
	require.NoError(t, err)
	require.Empty(t, status.Pending)
	require.Equal(t, status.Latest, status.Current)
	require.NoError(t, st.CheckSchema(ctx))
	mem := &migrate.MemDir{}
	require.NoError(t, st.Client.Schema.NamedDiff(ctx, "left", schema.WithDir(mem), schema.WithFormatter(migrate.DefaultFormatter)))
	files, err := mem.Files()
	require.NoError(t, err)
	for _, f := range files {
		t.Errorf("ent sees a difference to ent/schema:\n%s", f.Bytes())
	}
}

func TestMigrateEmptyToLatest(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st := newTarget(t, kind).open(t)
			status, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			require.Empty(t, status.Current)
			require.Empty(t, status.Applied)
			require.False(t, status.Unversioned)
			require.NotEmpty(t, status.Pending)
			var outdated *store.OutdatedError
			require.ErrorAs(t, st.CheckSchema(ctx), &outdated)
			require.Equal(t, "database schema is empty, this binary needs version "+status.Latest, outdated.Error())

			require.NoError(t, st.Migrate(ctx))
			requireLatest(t, st)
			after, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			for _, m := range after.Applied {
				require.True(t, m.Applied.Valid, "%s ran, it was not adopted", m.Version)
			}
			require.NoError(t, st.Migrate(ctx), "migrating again is a no-op")
			again, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			require.Equal(t, after, again)
		})
	}
}

// TestMigrationsKeepTriggers guards the hand-written objects ent does not know: a generated
// SQLite migration that rebuilds a table drops its triggers, and must create them again.
func TestMigrationsKeepTriggers(t *testing.T) {
	want := map[string][]string{
		"sqlite": {
			"product_rating_stats_delete", "product_rating_stats_insert", "product_rating_stats_update",
			"product_review_stats_delete", "product_review_stats_insert",
			"products_fts_delete", "products_fts_insert", "products_fts_update",
		},
		"postgres": {
			"category_rollups_sync", "product_rating_stats_sync", "product_review_stats_sync",
			"product_rollups_delete", "product_rollups_move", "rating_rollups_sync", "review_rollups_sync",
		},
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		query := `SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1`
		kind := "sqlite"
		if st.Dialect == dialect.Postgres {
			kind = "postgres"
			query = `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`
		}
		require.Equal(t, want[kind], column(t, st.DB, query))
	})
}

// TestMigratePreviousReleaseWithData loads the schema release d5c6c29 left (automatic
// migration, no history) and rows written through its triggers, migrates, and checks that
// the database was adopted, the rows are intact and everything the triggers keep still works.
func TestMigratePreviousReleaseWithData(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			tg := newTarget(t, kind)
			loadPreviousRelease(t, tg)
			st := tg.open(t)

			status, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			require.True(t, status.Unversioned)
			var outdated *store.OutdatedError
			require.ErrorAs(t, st.CheckSchema(ctx), &outdated)
			require.Contains(t, outdated.Error(), "created by an earlier release's automatic migration")

			before := tableCounts(t, st.DB)
			require.NoError(t, st.Migrate(ctx))
			requireLatest(t, st)
			require.Equal(t, before, tableCounts(t, st.DB), "no row is lost or added")
			require.Equal(t, []string{"Chef Knife", "Trail Tent", "Waterproof Jacket"},
				column(t, st.DB, `SELECT name FROM products ORDER BY name`))
			require.Equal(t, bruteCounters(t, st), counters(t, st), "counters kept by the old triggers")
			require.Equal(t, bruteReviewCounters(t, st), reviewCounters(t, st), "counters kept by the old triggers")

			// The triggers work after the upgrade: a new rating counts, a renamed product is found.
			c := st.Client
			jacket := c.Product.Query().Where(product.Sku("JKT-1")).OnlyX(ctx)
			u := c.User.Create().SetEmail("new@example.com").SetDisplayName("New").SetPasswordHash("!").SaveX(ctx)
			c.Rating.Create().SetProductID(jacket.ID).SetUserID(u.ID).SetStars(1).ExecX(ctx)
			require.Equal(t, bruteCounters(t, st), counters(t, st))
			c.Product.UpdateOne(jacket).SetName("Stormproof Shell").ExecX(ctx)
			require.Equal(t, []string{"Stormproof Shell"}, column(t, st.DB, searchQuery(kind)))
			if kind == "postgres" {
				requireRollupsExact(t, st, "after the upgrade")
			}
			require.NoError(t, st.Migrate(ctx), "migrating again is a no-op")
		})
	}
}

// TestMigrateRefusesUnknownSchema: a database with Vitrine's tables, no history and a schema
// that is not the previous release's is not adopted blindly.
func TestMigrateRefusesUnknownSchema(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			tg := newTarget(t, kind)
			loadPreviousRelease(t, tg)
			st := tg.open(t)
			_, err := st.DB.Exec(`DROP TABLE product_review_stats`)
			require.NoError(t, err)
			err = st.Migrate(context.Background())
			require.ErrorContains(t, err, "no migration history")
			require.ErrorContains(t, err, "product_review_stats")
		})
	}
}

// TestMigrateConcurrently runs several migrators, each with its own pool as separate processes
// would, on one empty database: each file runs once and all of them succeed.
func TestMigrateConcurrently(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			tg := newTarget(t, kind)
			stores := make([]*store.Store, 4)
			for i := range stores {
				stores[i] = tg.open(t)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(stores))
			for i, st := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = st.Migrate(context.Background())
				}()
			}
			wg.Wait()
			require.NoError(t, errors.Join(errs...))
			requireLatest(t, stores[0])
			dir, err := migrations.Dir(stores[0].Dialect)
			require.NoError(t, err)
			files, err := dir.Files()
			require.NoError(t, err)
			require.Equal(t, []string{strconv.Itoa(len(files))}, column(t, stores[0].DB, `SELECT `+cast(kind, "count(*)")+` FROM atlas_schema_revisions`))
		})
	}
}

// loadPreviousRelease builds the database release d5c6c29 would have: its schema (captured from
// it, testdata/release-d5c6c29), then rows written through its triggers.
func loadPreviousRelease(t *testing.T, tg target) {
	t.Helper()
	schemaSQL, err := os.ReadFile(filepath.Join("testdata", "release-d5c6c29", tg.kind+".sql"))
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join("testdata", "release-d5c6c29", "data.sql"))
	require.NoError(t, err)
	var db *sql.DB
	if tg.kind == "postgres" {
		db, err = sql.Open("postgres", tg.pgURL)
	} else {
		db, err = sql.Open("sqlite", "file:"+tg.sqlFile+"?_pragma=foreign_keys(1)")
	}
	require.NoError(t, err)
	// pg_dump's script empties search_path for its session: one connection, closed after.
	db.SetMaxOpenConns(1)
	defer db.Close()
	_, err = db.Exec(string(schemaSQL))
	require.NoError(t, err)
	_, err = db.Exec(`SELECT pg_catalog.set_config('search_path', 'public', false)`)
	if tg.kind != "postgres" {
		err = nil
	}
	require.NoError(t, err)
	_, err = db.Exec(string(data))
	require.NoError(t, err)
}

func searchQuery(kind string) string {
	if kind == "postgres" {
		return `SELECT name FROM products WHERE search_vector @@ plainto_tsquery('english', 'stormproof')`
	}
	return `SELECT p.name FROM products_fts f JOIN products p ON p.id = f.rowid WHERE products_fts MATCH 'stormproof'`
}

// tableCounts counts the rows of every table ent knows, the counters and rollups.
func tableCounts(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"categories", "products", "users", "reviews", "ratings", "quizs",
		"product_rating_stats", "product_review_stats"} {
		out[table] = column(t, db, `SELECT count(*) FROM `+table)[0]
	}
	return out
}

// column returns the first column of a query's rows, as text.
func column(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func cast(kind, expr string) string {
	if kind == "postgres" {
		return "(" + expr + ")::text"
	}
	return "CAST(" + expr + " AS TEXT)"
}

// TestMigrateRefusesEditedHistory: a released file whose text changed (and atlas.sum with it)
// would leave old and new databases different; Migrate says so instead.
func TestMigrateRefusesEditedHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		_, err := st.DB.Exec(`UPDATE atlas_schema_revisions SET hash = 'h1:edited' WHERE version = (SELECT min(version) FROM atlas_schema_revisions)`)
		require.NoError(t, err)
		require.ErrorContains(t, st.Migrate(context.Background()), "was changed after it ran on this database")
	})
}
