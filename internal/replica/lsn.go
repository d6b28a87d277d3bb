package replica

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Lag and read-your-writes are both measured in the primary's write-ahead log (WAL), not in
// time on the replica: a replica's own view (received vs. replayed, or the age of its last
// replayed commit) cannot tell a stalled stream from an idle primary.
//
//   - The checker reads the primary's WAL position each round and remembers when it last saw
//     each position (history). A replica that has replayed position p holds every transaction
//     that had committed when the primary was last seen at p or before, so its lag is the time
//     since then. An idle primary writes no WAL: its position stays put, the replica has it,
//     and the lag stays 0 however old the last commit is. A replica that stops receiving falls
//     behind the first position written after the stall, and its lag grows from there.
//   - A user's write remembers the primary's position after its commit (Marks); that user's
//     reads go to a replica only once the checker has seen it replay that far.

// LSN is a position in a Postgres server's write-ahead log (pg_lsn), in bytes from its start.
type LSN uint64

// String formats l as Postgres does, e.g. 16/B374D848.
func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint32(l)) }

// parseLSN reads pg_lsn's text form.
func parseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("replica: %q is not a WAL position", s)
	}
	return LSN(h<<32 | l), nil
}

// walLayout is the primary's WAL page and segment size, fixed when its cluster was created.
type walLayout struct{ blockSize, segmentSize uint64 }

// The WAL page headers: a segment's first page has the long one.
const shortPageHeader, longPageHeader = 24, 40

// recordEnd turns pg_current_wal_insert_lsn() into the end of the last record inserted. They
// differ when that record ends exactly at a page boundary: the insert position then points past
// the next page's header, where no record can end, while a standby that replayed everything
// reports the boundary. Unadjusted, an idle primary's replicas would stay a header behind.
func (w walLayout) recordEnd(insert LSN) LSN {
	switch {
	case uint64(insert)%w.segmentSize == longPageHeader:
		return insert - longPageHeader
	case uint64(insert)%w.blockSize == shortPageHeader:
		return insert - shortPageHeader
	}
	return insert
}

// The insert position, not the write or flush position: with synchronous_commit off a commit
// is visible on the primary before its WAL is written, and the position must cover it.
const (
	positionQuery = `SELECT pg_current_wal_insert_lsn()::text`
	layoutQuery   = `SELECT current_setting('wal_block_size')::bigint, setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'`
)

// position returns a WAL position of the primary at or past the end of every transaction that
// committed before the call: a replica that has replayed it shows them all.
func (r *Router) position(ctx context.Context) (LSN, error) {
	layout, err := r.walLayout(ctx)
	if err != nil {
		return 0, err
	}
	var text string
	if err := r.primary.DB().QueryRowContext(ctx, positionQuery).Scan(&text); err != nil {
		return 0, err
	}
	lsn, err := parseLSN(text)
	return layout.recordEnd(lsn), err
}

// walLayout reads the primary's WAL layout once.
func (r *Router) walLayout(ctx context.Context) (walLayout, error) {
	r.layoutMu.Lock()
	defer r.layoutMu.Unlock()
	if r.layout.blockSize != 0 {
		return r.layout, nil
	}
	var w walLayout
	if err := r.primary.DB().QueryRowContext(ctx, layoutQuery).Scan(&w.blockSize, &w.segmentSize); err != nil {
		return w, err
	}
	if w.blockSize == 0 || w.segmentSize == 0 {
		return w, fmt.Errorf("replica: the primary reports WAL blocks of %d and segments of %d bytes", w.blockSize, w.segmentSize)
	}
	r.layout = w
	return w, nil
}

// history remembers the primary's WAL positions as the checker saw them: for each distinct
// position, the last time the primary was seen there, in increasing order of both.
type history struct {
	mu   sync.Mutex
	seen []seen
	keep time.Duration // how far back positions are kept
}

type seen struct {
	lsn  LSN
	last time.Time
}

// add records that the primary was at lsn at time at.
func (h *history) add(lsn LSN, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.seen)
	switch {
	case n > 0 && lsn == h.seen[n-1].lsn:
		h.seen[n-1].last = at
		return
	case n > 0 && lsn < h.seen[n-1].lsn:
		// Another server answers as the primary (failover): its past is not this one's.
		h.seen = h.seen[:0]
	}
	h.seen = append(h.seen, seen{lsn: lsn, last: at})
	// The oldest position goes once the next one is older than keep too: whatever is behind
	// the oldest kept is then known to be more than keep behind.
	drop := max(len(h.seen)-maxSeen, 0)
	for drop+1 < len(h.seen) && at.Sub(h.seen[drop+1].last) > h.keep {
		drop++
	}
	h.seen = h.seen[drop:]
}

// maxSeen bounds the history's memory (2 MiB) whatever keep and the check interval are. Cut
// shorter than MaxLag, it errs towards ejecting: a replica behind every kept position lags.
const maxSeen = 1 << 16

// lag returns how long before ref the primary was last at a position a replica that replayed
// replayed has: every transaction committed by then is on the replica, so it is at most that
// stale. exact is false when replayed is behind every position kept (or none is): the replica
// is then at least lag behind, more than keep once history covers it.
func (h *history) lag(replayed LSN, ref time.Time) (lag time.Duration, exact bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := sort.Search(len(h.seen), func(i int) bool { return h.seen[i].lsn > replayed }) - 1
	switch {
	case len(h.seen) == 0:
		return 0, false
	case i < 0:
		return max(ref.Sub(h.seen[0].last), 0), false
	}
	return max(ref.Sub(h.seen[i].last), 0), true
}
