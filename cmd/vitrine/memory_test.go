package main

import (
	"errors"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		container  memlimit.Provider
		want       int64
		wantSource string
	}{
		{"ContainerLimit", memlimit.Limit(1 << 30), 966367641, "container"},
		{"NoContainerLimit", func() (uint64, error) { return 0, memlimit.ErrNoLimit }, defaultMemoryLimit, "default"},
		{"NoCgroups", func() (uint64, error) { return 0, errors.New("cgroups is not supported on this system") }, defaultMemoryLimit, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, source := memoryLimit(tc.container)
			if got != tc.want || source != tc.wantSource {
				t.Fatalf("memoryLimit = %d from %s, want %d from %s", got, source, tc.want, tc.wantSource)
			}
		})
	}
}
