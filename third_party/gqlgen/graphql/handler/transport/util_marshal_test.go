package transport

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/99designs/gqlgen/graphql"
)

func TestMarshalResponseMatchesEncodingJSON(t *testing.T) {
	t.Parallel()

	hasNext := true
	cases := map[string]*graphql.Response{
		"data only":   {Data: json.RawMessage(`{"a":[1,2,{"b":"c"}]}`)},
		"null data":   {},
		"errors only": {Errors: gqlerror.List{{Message: "boom", Path: ast.Path{ast.PathName("a"), ast.PathIndex(1)}}}},
		"errors and data": {
			Errors: gqlerror.List{{Message: "partial", Extensions: map[string]any{"code": "X"}}},
			Data:   json.RawMessage(`{"a":null}`),
		},
		"every member": {
			Data:       json.RawMessage(`{"a":"\u00e9\"<>"}`),
			Label:      "l",
			Path:       ast.Path{ast.PathName("x")},
			HasNext:    &hasNext,
			Extensions: map[string]any{"cost": 3, "html": "<b>"},
		},
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := json.Marshal(resp)
			require.NoError(t, err)
			got, err := marshalResponse(resp)
			require.NoError(t, err)
			// Equal as JSON: json.Marshal also escapes <, > and & inside
			// Data as \u003c…, which marshalResponse leaves as written.
			assert.JSONEq(t, string(want), string(got))
		})
	}
}
