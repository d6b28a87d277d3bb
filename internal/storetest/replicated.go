package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// Replicated is a throwaway primary with one streaming hot-standby replica, for tests of read
// routing and failover. Unlike URL it always starts its own servers: a replica of a shared
// server cannot be made per test.
type Replicated struct {
	// PrimaryURL and ReplicaURL reach the same database, "postgres", on each server.
	PrimaryURL, ReplicaURL string
	primary, replica       *cluster
	replicaUp              bool
}

// StartReplicated starts a primary and a replica streaming from it, both torn down when tb
// finishes. Without server binaries it skips tb, or fails it when CI=true.
func StartReplicated(tb testing.TB) *Replicated {
	tb.Helper()
	primary, err := startCluster()
	if errors.Is(err, errNoPostgres) {
		if inCI() {
			tb.Fatal(noPostgresMessage(err))
		}
		tb.Skip(noPostgresMessage(err))
	}
	if err != nil {
		tb.Fatalf("storetest: primary: %v", err)
	}
	r := &Replicated{primary: primary, PrimaryURL: clusterURL(primary.port)}
	tb.Cleanup(func() {
		if r.replica != nil {
			// A replica the test left stopped makes pg_ctl stop fail; that is no error.
			if err := r.replica.stop(); err != nil && r.replicaUp {
				tb.Errorf("storetest: %v", err)
			}
		}
		if err := primary.stop(); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})

	replica, err := newCluster()
	if err != nil {
		tb.Fatalf("storetest: replica: %v", err)
	}
	r.replica = replica
	// -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
	if err := replica.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port),
		"-U", "postgres", "-D", replica.data(), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"); err != nil {
		tb.Fatalf("storetest: base backup for the replica: %v", err)
	}
	if err := replica.listen(); err != nil {
		tb.Fatalf("storetest: starting the replica: %v", err)
	}
	r.replicaUp = true
	r.ReplicaURL = clusterURL(replica.port)
	return r
}

// StopReplica shuts the replica down as an operator would (pg_ctl stop -m fast): open
// connections are terminated.
func (r *Replicated) StopReplica(tb testing.TB) {
	tb.Helper()
	if err := r.replica.run("pg_ctl", "-D", r.replica.data(), "-m", "fast", "-w", "stop"); err != nil {
		tb.Fatalf("storetest: stopping the replica: %v", err)
	}
	r.replicaUp = false
}

// StartReplica starts the stopped replica again on the same port; it resumes streaming.
func (r *Replicated) StartReplica(tb testing.TB) {
	tb.Helper()
	if err := r.replica.startOn(r.replica.port); err != nil {
		log, _ := os.ReadFile(filepath.Join(r.replica.dir, "log"))
		tb.Fatalf("storetest: restarting the replica: %v\n%s", err, log)
	}
	r.replicaUp = true
}

func clusterURL(port int) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: fmt.Sprintf("127.0.0.1:%d", port),
		Path: "/postgres", RawQuery: "sslmode=disable"}
	return u.String()
}

// StallStreaming freezes the replica's WAL receiver (SIGSTOP) and returns the function that
// thaws it (SIGCONT), which also runs when tb finishes. It is what a network partition or a
// stuck sender looks like from the replica: the receiver is still there, so
// pg_stat_wal_receiver lists it, but no WAL arrives and the replica keeps serving what it has.
func (r *Replicated) StallStreaming(tb testing.TB) (resume func()) {
	tb.Helper()
	db, err := sql.Open("postgres", r.ReplicaURL)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	var pid int
	if err := db.QueryRowContext(ctx, `SELECT pid FROM pg_stat_wal_receiver`).Scan(&pid); err != nil {
		tb.Fatalf("storetest: finding the replica's WAL receiver: %v", err)
	}
	// The pid is a process of this test's own throwaway cluster, never of a shared server.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		tb.Fatalf("storetest: stopping the WAL receiver %d: %v", pid, err)
	}
	var once sync.Once
	resume = func() {
		once.Do(func() {
			if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
				tb.Errorf("storetest: resuming the WAL receiver %d: %v", pid, err)
			}
		})
	}
	tb.Cleanup(resume)
	return resume
}
