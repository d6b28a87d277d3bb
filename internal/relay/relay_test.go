package relay

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/apperr"
)

func TestIDRoundTrip(t *testing.T) {
	for _, id := range []int{0, 1, 4294967296, 17179869185, 1 << 50} {
		got, err := Decode(Encode(id))
		require.NoError(t, err)
		require.Equal(t, id, got)
	}
}

// The encoding is a stored contract: IDs that clients keep must decode forever.
func TestEncodeIsStable(t *testing.T) {
	for id, want := range map[int]string{
		0:           base64.RawURLEncoding.EncodeToString([]byte("v1:0")),
		17179869185: base64.RawURLEncoding.EncodeToString([]byte("v1:17179869185")),
	} {
		require.Equal(t, want, Encode(id))
		b := bytes.NewBufferString("[")
		MarshalID(id).MarshalGQL(b)
		require.Equal(t, `["`+want+`"`, b.String(), "MarshalID appends the quoted encoding")
		var sb strings.Builder // not a bytes.Buffer: the other path
		MarshalID(id).MarshalGQL(&sb)
		require.Equal(t, `"`+want+`"`, sb.String(), "MarshalID writes the quoted encoding")
	}
}

func TestDecodeRejects(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	for name, s := range map[string]string{
		"Empty":         "",
		"NotBase64":     "%%%",
		"NoPrefix":      enc([]byte("12")),
		"OtherVersion":  enc([]byte("v2:12")),
		"NotANumber":    enc([]byte("v1:abc")),
		"Negative":      enc([]byte("v1:-5")),
		"LeadingZero":   enc([]byte("v1:012")),
		"PlusSign":      enc([]byte("v1:+12")),
		"Overflow":      enc([]byte("v1:99999999999999999999999")),
		"TrailingSpace": enc([]byte("v1:12 ")),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(s)
			e, ok := apperr.As(err)
			require.True(t, ok, "%v", err)
			require.Equal(t, apperr.BadInput, e.Code)
		})
	}
}

func TestCursor(t *testing.T) {
	_, err := UnmarshalCursor("not a cursor")
	require.Error(t, err)
	require.Equal(t, apperr.BadInput, apperr.CodeOf(err))
	_, err = UnmarshalCursor(42)
	require.Equal(t, apperr.BadInput, apperr.CodeOf(err))
}
