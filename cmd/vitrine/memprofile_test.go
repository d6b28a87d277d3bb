package main

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// Allocation sampling costs about 2% of a large response's CPU; serve keeps it only when a
// pprof listener can read it.
func TestAllocationSamplingOnlyWithPprof(t *testing.T) {
	const rate = 512 * 1024
	defer func() { runtime.MemProfileRate = rate }()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
	}{
		{"pprof listener", map[string]string{"VITRINE_PPROF_ADDR": "127.0.0.1:0"}, rate},
		{"no listener", map[string]string{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.MemProfileRate = rate
			tc.env["VITRINE_DATA_DIR"] = t.TempDir()
			startServer(t, tc.env)
			require.Equal(t, tc.want, runtime.MemProfileRate)
		})
	}
}
