package replica

import (
	"context"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestLSNText(t *testing.T) {
	tests := []struct {
		text string
		lsn  LSN
	}{
		{"0/0", 0},
		{"0/3000028", 0x3000028},
		{"16/B374D848", 0x16_B374D848},
		{"FFFFFFFF/FFFFFFFF", unknownPosition},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			lsn, err := parseLSN(tt.text)
			require.NoError(t, err)
			require.Equal(t, tt.lsn, lsn)
			require.Equal(t, tt.text, lsn.String())
		})
	}
	for _, bad := range []string{"", "3000028", "0/", "G/1", "1/100000000"} {
		_, err := parseLSN(bad)
		require.Error(t, err, bad)
	}
}

func TestRecordEnd(t *testing.T) {
	w := walLayout{blockSize: 8192, segmentSize: 16 << 20}
	tests := []struct {
		name         string
		insert, want LSN
	}{
		// Seen on an idle primary right after a segment switch: insert 0/3000028, replay 0/3000000.
		{"PastASegmentsLongHeader", 0x3000028, 0x3000000},
		{"PastAPagesShortHeader", 0x3002018, 0x3002000},
		{"MidPage", 0x3001110, 0x3001110},
		// A record continued from the previous page can end 40 bytes into an ordinary page.
		{"FortyBytesIntoAnOrdinaryPage", 0x3002028, 0x3002028},
		{"AtAPageBoundary", 0x3002000, 0x3002000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.Equal(t, tt.want, w.recordEnd(tt.insert)) })
	}
}

func TestHistoryLag(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	h := &history{keep: 10 * time.Second}
	// The primary idles at 100 for two seconds, then writes a bit every second.
	h.add(100, at(0))
	h.add(100, at(1))
	h.add(100, at(2))
	h.add(200, at(3))
	h.add(300, at(4))
	tests := []struct {
		name     string
		replayed LSN
		ref      time.Time
		lag      time.Duration
		exact    bool
	}{
		{"CaughtUpWithTheSample", 300, at(4), 0, true},
		{"AheadOfTheSample", 350, at(4), 0, true},
		{"OneWriteBehind", 200, at(4), time.Second, true},
		// It has 100 and misses what came after the primary was last seen at 100.
		{"BehindSinceTheIdleSpellEnded", 150, at(4), 2 * time.Second, true},
		// At least since the primary was last seen at the oldest position kept.
		{"BehindEverythingKept", 50, at(4), 2 * time.Second, false},
		{"NoSampleThisRoundLagGrowsWithTime", 300, at(6.5), 2500 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lag, exact := h.lag(tt.replayed, tt.ref)
			require.Equal(t, tt.lag, lag)
			require.Equal(t, tt.exact, exact)
		})
	}
	t.Run("NothingSampledYet", func(t *testing.T) {
		_, exact := (&history{keep: time.Second}).lag(100, at(0))
		require.False(t, exact)
	})
	t.Run("OldPositionsAreDroppedPastKeep", func(t *testing.T) {
		h := &history{keep: 2 * time.Second}
		for i := range 10 {
			h.add(LSN(100*(i+1)), at(float64(i)))
		}
		require.Len(t, h.seen, 4, "positions of the last 2s and the one before them")
		lag, exact := h.lag(650, at(9))
		require.False(t, exact)
		require.Greater(t, lag, h.keep)
	})
	t.Run("APrimaryWithAnEarlierPositionStartsAFreshHistory", func(t *testing.T) {
		h := &history{keep: time.Minute}
		h.add(500, at(0))
		h.add(100, at(1))
		require.Equal(t, []seen{{100, at(1)}}, h.seen)
	})
}

// BenchmarkPosition measures what read-your-writes adds to a write: reading the primary's WAL
// position after the commit.
func BenchmarkPosition(b *testing.B) {
	pg := storetest.StartReplicated(b)
	primary, err := entsql.Open(dialect.Postgres, pg.PrimaryURL)
	require.NoError(b, err)
	r, err := New(primary, []string{pg.ReplicaURL}, nil, Options{})
	require.NoError(b, err)
	defer r.Close()
	ctx := context.Background()
	_, err = r.position(ctx) // connects and reads the WAL layout once
	require.NoError(b, err)
	for b.Loop() {
		if _, err := r.position(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
