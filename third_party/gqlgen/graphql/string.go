package graphql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

const encodeHex = "0123456789ABCDEF"

func MarshalString(s string) Marshaler {
	return WriterFunc(func(w io.Writer) {
		writeQuotedString(w, s)
	})
}

func writeQuotedString(w io.Writer, s string) {
	if b, ok := w.(*bytes.Buffer); ok {
		// gqlgen writes a response into a bytes.Buffer: one append into its spare capacity
		// rather than three writes through the io.Writer per string.
		_, _ = b.Write(appendQuotedString(b.AvailableBuffer(), s))
		return
	}
	start := 0
	io.WriteString(w, `"`)

	// Bytes, not runes: every byte that needs escaping is ASCII, and no byte of a multi-byte
	// UTF-8 sequence is, so the output is the same without decoding each rune.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '\\' || c == '"' {
			io.WriteString(w, s[start:i])

			switch c {
			case '\t':
				io.WriteString(w, `\t`)
			case '\r':
				io.WriteString(w, `\r`)
			case '\n':
				io.WriteString(w, `\n`)
			case '\\':
				io.WriteString(w, `\\`)
			case '"':
				io.WriteString(w, `\"`)
			default:
				io.WriteString(w, `\u00`)
				w.Write([]byte{encodeHex[c>>4], encodeHex[c&0xf]})
			}

			start = i + 1
		}
	}

	io.WriteString(w, s[start:])
	io.WriteString(w, `"`)
}

// appendQuotedString appends s quoted as writeQuotedString writes it.
func appendQuotedString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		case '\n':
			b = append(b, '\\', 'n')
		case '\\':
			b = append(b, '\\', '\\')
		case '"':
			b = append(b, '\\', '"')
		default:
			b = append(b, '\\', 'u', '0', '0', encodeHex[c>>4], encodeHex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func UnmarshalString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case json.Number:
		return string(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", nil
	default:
		return "", fmt.Errorf("%T is not a string", v)
	}
}
