package storetest_test

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestURL checks that two URLs name different, empty databases, isolated
// from each other, that answer real queries.
func TestURL(t *testing.T) {
	if os.Getenv(storetest.EnvURL) != "" {
		t.Logf("using the server in %s", storetest.EnvURL)
	} else {
		t.Log("using a throwaway cluster")
	}
	urlA, urlB := storetest.URL(t), storetest.URL(t)
	if urlA == urlB {
		t.Fatalf("both URLs are %s", urlA)
	}
	a, b := open(t, urlA), open(t, urlB)
	if nameA, nameB := queryString(t, a, "SELECT current_database()"), queryString(t, b, "SELECT current_database()"); nameA == nameB {
		t.Fatalf("both URLs lead to database %s", nameA)
	}
	for _, db := range []*sql.DB{a, b} {
		if n := queryString(t, db, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`); n != "0" {
			t.Errorf("new database has %s relations, want none", n)
		}
	}

	mustExec(t, a, "CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)")
	mustExec(t, a, "INSERT INTO item VALUES (2, 'vase'), (1, 'lamp')")
	if got := queryString(t, a, "SELECT string_agg(name, ',' ORDER BY id) FROM item"); got != "lamp,vase" {
		t.Errorf("items = %q, want %q", got, "lamp,vase")
	}
	if got := queryString(t, b, "SELECT coalesce(to_regclass('item')::text, 'none')"); got != "none" {
		t.Errorf("table made in one database is visible in the other as %s", got)
	}
}

// TestURLParallel checks that parallel tests each get their own database.
func TestURLParallel(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			db := open(t, storetest.URL(t))
			mustExec(t, db, "CREATE TABLE only_mine (id int)")
		})
	}
}

// TestURLDropsDatabase checks that a test's database is gone once the test
// ends, even if the test left a connection to it open.
func TestURLDropsDatabase(t *testing.T) {
	var u string
	t.Run("user", func(t *testing.T) {
		u = storetest.URL(t)
		leaked, err := sql.Open("postgres", u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { leaked.Close() }) // runs after URL's DROP
		leaked.SetMaxIdleConns(1)
		if err := leaked.Ping(); err != nil {
			t.Fatal(err)
		}
	})

	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(parsed.Path, "/")
	parsed.Path = "/postgres"
	db := open(t, parsed.String())
	if n := queryString(t, db, "SELECT count(*) FROM pg_database WHERE datname = '"+name+"'"); n != "0" {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func open(t *testing.T, u string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func queryString(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	var s string
	if err := db.QueryRow(query).Scan(&s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}
