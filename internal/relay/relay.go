// Package relay encodes Relay global IDs and connection cursors for the GraphQL layer.
//
// ent's globalid feature gives every type its own integer range, so an integer alone identifies
// a node; clients see it as an opaque string so they never build IDs by hand or depend on their
// numeric layout. Cursors are entgql's (msgpack + base64); this package only makes a malformed
// one a BAD_USER_INPUT error instead of an opaque decoding failure.
package relay

import (
	"bytes"
	"encoding/base64"
	"io"
	"strconv"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

// prefix versions the encoding so it can change without breaking stored IDs.
const prefix = "v1:"

// Encode returns the opaque form of an ent ID.
func Encode(id int) string {
	return string(appendEncoded(nil, id))
}

// appendEncoded appends the opaque form of id to dst.
func appendEncoded(dst []byte, id int) []byte {
	var raw [len(prefix) + 20]byte
	return base64.RawURLEncoding.AppendEncode(dst, strconv.AppendInt(append(raw[:0], prefix...), int64(id), 10))
}

// Decode parses an opaque ID. It returns a BAD_USER_INPUT *apperr.Error for anything that Encode
// could not have produced.
func Decode(s string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), prefix) {
		return 0, invalid(s)
	}
	digits := strings.TrimPrefix(string(raw), prefix)
	id, err := strconv.Atoi(digits)
	if err != nil || id < 0 || strconv.Itoa(id) != digits {
		return 0, invalid(s)
	}
	return id, nil
}

func invalid(s string) error {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return apperr.Errorf(apperr.BadInput, "%q is not a valid ID; use an id returned by this API", s)
}

// MarshalID is gqlgen's marshaller for the ID scalar. A response holds an ID for nearly every
// object, so an ID costs one small allocation (the boxed integer) and is written straight into
// the response buffer: the URL-safe base64 alphabet needs no escaping in JSON.
func MarshalID(id int) graphql.Marshaler {
	return idMarshaler(id)
}

type idMarshaler int

func (id idMarshaler) MarshalGQL(w io.Writer) {
	if b, ok := w.(*bytes.Buffer); ok {
		// gqlgen writes a response into a bytes.Buffer: append to its spare capacity.
		_, _ = b.Write(appendQuotedID(b.AvailableBuffer(), int(id)))
		return
	}
	writeID(w, int(id))
}

// writeID is the path for other writers, apart so that its buffer (which escapes through
// w.Write) is only allocated there.
func writeID(w io.Writer, id int) {
	var buf [48]byte
	_, _ = w.Write(appendQuotedID(buf[:0], id))
}

func appendQuotedID(b []byte, id int) []byte {
	return append(appendEncoded(append(b, '"'), id), '"')
}

// UnmarshalID is gqlgen's unmarshaller for the ID scalar.
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, apperr.Errorf(apperr.BadInput, "an ID must be a string, got %T", v)
	}
	return Decode(s)
}

// Cursor is the cursor type of every connection: entgql's, over integer IDs.
type Cursor = entgql.Cursor[int]

// MarshalCursor is gqlgen's marshaller for the Cursor scalar.
func MarshalCursor(c Cursor) graphql.Marshaler { return c }

// UnmarshalCursor is gqlgen's unmarshaller for the Cursor scalar.
func UnmarshalCursor(v any) (Cursor, error) {
	var c Cursor
	if err := c.UnmarshalGQL(v); err != nil {
		return c, apperr.Errorf(apperr.BadInput, "invalid cursor: use a cursor returned by this API")
	}
	return c, nil
}
