package graphql

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestMarshalDataSizesTheBufferFromTheLastResult(t *testing.T) {
	// Written in small pieces, as an executor writes a response.
	piece := strings.Repeat("x", 100)
	big := strings.Repeat(piece, 1000)
	data := WriterFunc(func(w io.Writer) {
		for range 1000 {
			_, _ = io.WriteString(w, piece)
		}
	})
	op := &ast.OperationDefinition{}

	first := MarshalData(op, data)
	require.Equal(t, big, string(first))

	// The second result of the same operation is written into a buffer made up front; without
	// an operation the buffer grows (and is copied) as it is written.
	var n int
	hinted := testing.AllocsPerRun(10, func() { n = len(MarshalData(op, data)) })
	require.Equal(t, len(big), n)
	unhinted := testing.AllocsPerRun(10, func() { MarshalData(nil, data) })
	require.Less(t, hinted+5, unhinted, "hinted %v, unhinted %v allocations", hinted, unhinted)
	require.LessOrEqual(t, hinted, 3.0)
	require.Equal(t, big, string(MarshalData(&ast.OperationDefinition{}, data)))
}
