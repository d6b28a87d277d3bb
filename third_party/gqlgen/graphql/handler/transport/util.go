package transport

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/99designs/gqlgen/graphql"
)

func writeJson(w io.Writer, response *graphql.Response) {
	b, err := marshalResponse(response)
	if err != nil {
		panic(fmt.Errorf("unable to marshal %s: %w", string(response.Data), err))
	}
	w.Write(b)
}

// marshalResponse encodes response as json.Marshal does, in the same field
// order, but copies Data as it is: the executor wrote it as JSON, and
// json.Marshal would scan all of it again to validate and compact a
// json.RawMessage, which for a large result costs as much as writing it.
// Unlike json.Marshal, it does not rewrite <, > and & inside Data as \u003c,
// \u003e and \u0026: the JSON is the same, the bytes are the executor's.
func marshalResponse(response *graphql.Response) ([]byte, error) {
	b := make([]byte, 0, len(response.Data)+64)
	b = append(b, '{')
	if len(response.Errors) > 0 {
		errs, err := json.Marshal(response.Errors)
		if err != nil {
			return nil, err
		}
		b = append(b, `"errors":`...)
		b = append(b, errs...)
		b = append(b, ',')
	}
	b = append(b, `"data":`...)
	if len(response.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, response.Data...)
	}
	// The optional members are small; json.Marshal gives them the encoding
	// and omitempty rules of graphql.Response.
	rest, err := json.Marshal(struct {
		Label      string         `json:"label,omitempty"`
		Path       ast.Path       `json:"path,omitempty"`
		HasNext    *bool          `json:"hasNext,omitempty"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{response.Label, response.Path, response.HasNext, response.Extensions})
	if err != nil {
		return nil, err
	}
	if len(rest) > 2 {
		b = append(b, ',')
		b = append(b, rest[1:len(rest)-1]...)
	}
	return append(b, '}'), nil
}

func writeJsonError(w io.Writer, msg string) {
	writeJson(w, &graphql.Response{Errors: gqlerror.List{{Message: msg}}})
}

func writeJsonErrorf(w io.Writer, format string, args ...any) {
	writeJson(w, &graphql.Response{Errors: gqlerror.List{{Message: fmt.Sprintf(format, args...)}}})
}

func writeJsonGraphqlError(w io.Writer, err ...*gqlerror.Error) {
	writeJson(w, &graphql.Response{Errors: err})
}
