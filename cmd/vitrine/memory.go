package main

import (
	"log/slog"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// defaultMemoryLimit is the soft memory limit of a process that runs in no container with a
// memory limit. On the 2-core reference machine it keeps the RSS under 200 MB at 64 concurrent
// canonical queries (bench/README.md), where 96 MiB made the collector run nearly without pause.
const defaultMemoryLimit = 160 << 20

// containerShare is the part of a container's memory limit given to the Go heap; the rest is
// for stacks, the binary and the runtime's own structures, so the kernel never kills the
// process for the heap's growth.
const containerShare = 0.9

// tuneGC trades heap for CPU unless the operator set GOGC: a request allocates a few MB that
// die with it, so collecting at 4x the live heap instead of 2x cuts the GC work. Unless
// GOMEMLIMIT is set, the soft memory limit follows the container's memory limit (cgroup v1 or
// v2, read by automemlimit) or, with none, defaultMemoryLimit: the collector works harder near
// it instead of letting the heap grow past it under load.
func tuneGC(getenv func(string) string, log *slog.Logger) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	limit, source := memoryLimit(memlimit.FromCgroup)
	debug.SetMemoryLimit(limit)
	log.Info("memory limit", "bytes", limit, "from", source)
}

// memoryLimit is the soft memory limit for a process whose container allows what fromContainer
// reports.
func memoryLimit(fromContainer memlimit.Provider) (int64, string) {
	if n, err := fromContainer(); err == nil && n > 0 {
		return int64(float64(n) * containerShare), "container"
	}
	return defaultMemoryLimit, "default"
}
