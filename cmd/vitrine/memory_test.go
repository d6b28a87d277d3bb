package main

import (
	"errors"
	"runtime"
	"testing"
	"time"

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

func TestFollowLimit(t *testing.T) {
	for _, tc := range []struct {
		name             string
		base, live, want int64
	}{
		{"SmallLiveHeapKeepsTheBase", 160 << 20, 40 << 20, 160 << 20},
		{"LiveNearTheBaseRaisesIt", 160 << 20, 120 << 20, 180 << 20},
		{"LiveAboveTheBase", 160 << 20, 400 << 20, 600 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := followLimit(tc.base, tc.live); got != tc.want {
				t.Fatalf("followLimit(%d, %d) = %d, want %d", tc.base, tc.live, got, tc.want)
			}
		})
	}
}

// The hook runs after real collections, and liveMemory sees a live heap the process holds.
func TestAfterEachGCSeesTheLiveHeap(t *testing.T) {
	seen := make(chan int64, 16)
	afterEachGC(func() {
		select {
		case seen <- liveMemory():
		default:
		}
	})
	hold := make([]byte, 64<<20)
	for i := range hold {
		hold[i] = byte(i)
	}
	// Finalizers run after the collection, on their own goroutine: wait for the report.
	deadline := time.Now().Add(10 * time.Second)
	var got int64
	for got < 64<<20 && time.Now().Before(deadline) {
		runtime.GC()
		select {
		case n := <-seen:
			got = max(got, n)
		case <-time.After(50 * time.Millisecond):
		}
	}
	runtime.KeepAlive(hold)
	if got < 64<<20 {
		t.Fatalf("after collections with 64 MiB live, liveMemory reported at most %d bytes", got)
	}
}
