// Package migrations embeds Vitrine's versioned schema migrations, one Atlas migration directory
// per dialect (postgres/, sqlite/), each with its atlas.sum integrity file. The files are the
// schema's history: the first is generated from ent/schema, the ones after it are either generated
// (`make migration name=...`) or hand-written (full-text search, counters, rollups, triggers), and a
// released file is never edited. internal/store applies them; its tests fail when they are stale.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"ariga.io/atlas/sql/migrate"
)

//go:embed postgres sqlite
var files embed.FS

// Dir returns the migration directory of a dialect ("postgres" or "sqlite3", as ent names them)
// as an in-memory Atlas directory, atlas.sum included, so Atlas validates it before use.
func Dir(dialect string) (*migrate.MemDir, error) {
	name, ok := map[string]string{"postgres": "postgres", "sqlite3": "sqlite"}[dialect]
	if !ok {
		return nil, fmt.Errorf("no migrations for dialect %q", dialect)
	}
	entries, err := fs.ReadDir(files, name)
	if err != nil {
		return nil, err
	}
	dir := &migrate.MemDir{}
	for _, e := range entries {
		b, err := fs.ReadFile(files, name+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return dir, nil
}

// Path returns the directory of a dialect's files relative to this package, for the tools that
// write new migrations.
func Path(dialect string) string {
	if dialect == "sqlite3" {
		return "sqlite"
	}
	return dialect
}
