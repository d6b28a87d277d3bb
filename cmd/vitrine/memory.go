package main

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

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
	if source == "default" {
		afterEachGC(func() { debug.SetMemoryLimit(followLimit(limit, liveMemory())) })
	}
}

// followLimit is the soft memory limit for a process that needs live bytes (heap and stacks
// reachable at the last collection) and whose default limit is base. A default limit below what
// the process holds live — 10,000 idle subscriptions hold far more than 160 MiB — would have
// the collector run without pause, at half the CPU, while nothing happens; so the limit keeps
// half as much again as the live memory above it (the collector then runs as with GOGC=50).
// A container's limit is not followed: past it the kernel kills the process.
func followLimit(base, live int64) int64 {
	return max(base, live+live/2)
}

// liveMemory is the heap found live by the last collection plus the goroutine stacks.
func liveMemory() int64 {
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(samples)
	var n int64
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			n += int64(s.Value.Uint64())
		}
	}
	return n
}

// afterEachGC calls f on the finalizer goroutine after every garbage collection: a collection
// finds the sentinel unreachable and runs its finalizer, which arms the next one. An idle
// process collects nothing, so this costs nothing while idle.
func afterEachGC(f func()) {
	type sentinel struct{ _ [16]byte } // 16 bytes: not merged into another object's tiny block
	var arm func()
	arm = func() {
		runtime.SetFinalizer(new(sentinel), func(*sentinel) {
			f()
			arm()
		})
	}
	arm()
}

// memoryLimit is the soft memory limit for a process whose container allows what fromContainer
// reports.
func memoryLimit(fromContainer memlimit.Provider) (int64, string) {
	if n, err := fromContainer(); err == nil && n > 0 {
		return int64(float64(n) * containerShare), "container"
	}
	return defaultMemoryLimit, "default"
}
