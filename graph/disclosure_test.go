package graph_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/limits"
	"github.com/vitrinehq/vitrine/internal/storetest"
	"github.com/vitrinehq/vitrine/server"
)

// Introspection and "Did you mean …?" hints both spell out the schema; production turns them
// off. Each document below draws a hint from gqlparser when hints are on.
func TestSchemaDisclosure(t *testing.T) {
	typos := []struct {
		name, query string
		vars        map[string]any
		hint        bool // gqlparser suggests names for this typo when suggestions are on
	}{
		{"Field", "{ prodcts { totalCount } }", nil, true},
		{"Argument", "{ products(frist: 1) { totalCount } }", nil, true},
		{"EnumLiteral", "{ products(orderBy: [{field: PRCE}]) { totalCount } }", nil, true},
		{"InputField", `{ products(where: {nameContain: "x"}) { totalCount } }`, nil, true},
		{"TypeName", "query($w: ProductWhereInpt) { products(where: $w) { totalCount } }", nil, false},
		{"EnumVariable", "query($o: [ProductOrder!]) { products(orderBy: $o) { totalCount } }", map[string]any{"o": []any{map[string]any{"field": "PRCE"}}}, false},
		{"InputFieldVariable", "query($w: ProductWhereInput) { products(where: $w) { totalCount } }", map[string]any{"w": map[string]any{"nameContain": "x"}}, false},
	}
	// Each introspection query with a name only its answer contains.
	introspection := map[string]string{
		`{ __schema { types { name } } }`:                 "ProductWhereInput",
		`{ __type(name: "Product") { fields { name } } }`: "reviewCount",
	}

	for _, kind := range storetest.Kinds {
		for _, on := range []bool{false, true} {
			e := newLimitedEnv(t, storetest.Open(t, kind, nil), server.Options{Introspection: on, Suggestions: on})
			for _, tt := range typos {
				res := serve(t, e.handler, gqlRequest(t, tt.query, tt.vars, ""))
				require.Less(t, res.Status, 500)
				require.NotEmpty(t, res.Errors, "%s: %s", tt.name, res.Raw)
				require.Equal(t, on && tt.hint, strings.Contains(res.Raw, "Did you mean"), "%s: %s", tt.name, res.Raw)
			}
			for q, marker := range introspection {
				res := serve(t, e.handler, gqlRequest(t, q, nil, ""))
				if on {
					require.Empty(t, res.Errors, res.Raw)
					require.Contains(t, res.Raw, marker)
				} else {
					require.NotEmpty(t, res.Errors, res.Raw)
					require.NotContains(t, res.Raw, marker)
				}
			}
		}
	}
}

// slowDriver, while armed, runs a statement far slower than any test deadline in place of
// each query, so only the request's deadline reaching the database can end it.
type slowDriver struct {
	dialect.Driver
	armed atomic.Bool
}

func (d *slowDriver) Query(ctx context.Context, query string, args, v any) error {
	if !d.armed.Load() {
		return d.Driver.Query(ctx, query, args, v)
	}
	slow := "SELECT pg_sleep(60)"
	if d.Dialect() == dialect.SQLite {
		slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) SELECT count(*) FROM c"
	}
	var rows entsql.Rows
	if err := d.Driver.Query(ctx, slow, []any{}, &rows); err != nil {
		return err
	}
	for rows.Next() {
	}
	err := rows.Err()
	rows.Close()
	if err != nil {
		return err
	}
	return errors.New("the slow statement completed: the deadline did not reach the database")
}

// A request that outlives VITRINE_REQUEST_TIMEOUT is cancelled in the database and answered
// with TIMEOUT, without SQL in the answer.
func TestRequestDeadline(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			var slow *slowDriver
			st := storetest.Open(t, kind, func(d dialect.Driver) dialect.Driver {
				slow = &slowDriver{Driver: d}
				return slow
			})
			l := limits.Defaults()
			l.RequestTimeout = 300 * time.Millisecond
			e := newLimitedEnv(t, st, server.Options{Limits: &l})
			slow.armed.Store(true)
			defer slow.armed.Store(false)

			start := time.Now()
			res := serve(t, e.handler, gqlRequest(t, "{ products(first: 3) { edges { node { name } } } }", nil, ""))
			elapsed := time.Since(start)
			require.Less(t, elapsed, 10*time.Second, "the slow statement was not cancelled")
			require.GreaterOrEqual(t, elapsed, l.RequestTimeout)
			require.Equal(t, http.StatusOK, res.Status, res.Raw)
			require.NotEmpty(t, res.Errors, res.Raw)
			require.Equal(t, "TIMEOUT", res.Errors[0].Code(), res.Raw)
			for _, leak := range []string{"pg_sleep", "RECURSIVE", "SELECT", "canceling", "interrupted"} {
				require.NotContains(t, res.Raw, leak)
			}
		})
	}
}
