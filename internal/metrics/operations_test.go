package metrics

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOperationNames(t *testing.T) {
	tests := []struct {
		name  string
		fixed []string
		max   int
		in    []string
		want  []string
	}{
		{"FirstComeUpToTheBound", nil, 2, []string{"A", "B", "C", "A", "B", "D"}, []string{"A", "B", OtherOperation, "A", "B", OtherOperation}},
		{"AnonymousIsNotCounted", nil, 1, []string{"", "A", "", "B"}, []string{Anonymous, "A", Anonymous, OtherOperation}},
		{"FixedListOnly", []string{"ProductsNested", "Login"}, 0, []string{"Login", "Evil", "ProductsNested"}, []string{"Login", OtherOperation, "ProductsNested"}},
		{"LongNamesAreOther", nil, 10, []string{strings.Repeat("x", maxNameLength+1)}, []string{OtherOperation}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOperationNames(tt.fixed, tt.max)
			var got []string
			for _, n := range tt.in {
				got = append(got, o.label(n))
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestOutcome(t *testing.T) {
	tests := []struct {
		name   string
		codes  []string
		status int
		want   string
	}{
		{"OK", nil, 200, OK},
		{"WorstWins", []string{"BAD_USER_INPUT", "INTERNAL_SERVER_ERROR", "QUERY_TOO_COMPLEX"}, 200, "server_error"},
		{"Rejected", []string{"QUERY_TOO_DEEP"}, 200, "rejected"},
		{"Timeout", []string{"TIMEOUT", "TIMEOUT"}, 200, "timeout"},
		{"UncodedClientStatus", nil, 422, "client_error"},
		{"UncodedServerStatus", nil, 502, "server_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, outcome(tt.codes, tt.status))
		})
	}
}
