package graphql

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"time"
)

func MarshalTime(t time.Time) Marshaler {
	if t.IsZero() {
		return Null
	}
	return timeMarshaler(t)
}

// timeMarshaler writes a time in RFC 3339 with nanoseconds. The format's output (digits, '-',
// ':', '.', 'T', 'Z', '+') needs no escaping, so it is appended between quotes, into a
// bytes.Buffer's spare capacity when the writer is one: no closure, formatted string or quoted
// copy per timestamp of a response.
type timeMarshaler time.Time

func (t timeMarshaler) MarshalGQL(w io.Writer) {
	if b, ok := w.(*bytes.Buffer); ok {
		_, _ = b.Write(appendQuotedTime(b.AvailableBuffer(), time.Time(t)))
		return
	}
	writeTime(w, time.Time(t))
}

// writeTime is the path for other writers, apart so that its buffer (which escapes through
// w.Write) is only allocated there.
func writeTime(w io.Writer, t time.Time) {
	var buf [64]byte
	_, _ = w.Write(appendQuotedTime(buf[:0], t))
}

func appendQuotedTime(b []byte, t time.Time) []byte {
	return append(t.AppendFormat(append(b, '"'), time.RFC3339Nano), '"')
}

func UnmarshalTime(v any) (time.Time, error) {
	if v == nil {
		return time.Time{}, nil
	}

	if tmpStr, ok := v.(string); ok {
		if tmpStr == "" {
			return time.Time{}, nil
		}

		t, err := time.Parse(time.RFC3339Nano, tmpStr)
		if err == nil {
			return t, nil
		}
		t, err = time.Parse(time.RFC3339, tmpStr)
		if err == nil {
			return t, nil
		}
		t, err = time.Parse(time.DateTime, tmpStr)
		if err == nil {
			return t, nil
		}
	}

	return time.Time{}, errors.New("time should be RFC3339Nano formatted string")
}

func MarshalDate(t time.Time) Marshaler {
	if t.IsZero() {
		return Null
	}

	return WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

func UnmarshalDate(v any) (time.Time, error) {
	if v == nil {
		return time.Time{}, nil
	}

	if tmpStr, ok := v.(string); ok {
		if tmpStr == "" {
			return time.Time{}, nil
		}

		t, err := time.Parse(time.DateOnly, tmpStr)
		if err == nil {
			return t, nil
		}
	}

	return time.Time{}, errors.New("time should be DateOnly formatted string")
}
