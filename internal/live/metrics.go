package live

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collectors report the broker's and the WebSocket transport's state to Prometheus, mostly
// read when scraped, and make b observe each event's fan-out latency (commit to delivery to
// this process's subscribers; across processes it includes clock skew). Call it before
// serving.
func Collectors(b *Broker, w *Websocket) []prometheus.Collector {
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "vitrine_live_fanout_seconds",
		Help:    "Time from a write's commit to its event reaching this process's subscribers.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}})
	b.latency = func(d time.Duration) { latency.Observe(d.Seconds()) }
	counter := func(name, help string, v func(Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(v(b.Stats())) })
	}
	return []prometheus.Collector{
		latency,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vitrine_live_connections",
			Help: "Open GraphQL subscription connections: WebSockets and Server-Sent Events streams."}, func() float64 { return float64(w.Connections()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vitrine_live_subscriptions",
			Help: "Subscriptions running in this process (clients', however many share a reader)."}, func() float64 { return float64(w.Subscriptions()) }),
		counter("vitrine_live_events_published_total", "Committed changes this process published.",
			func(s Stats) uint64 { return s.Published }),
		counter("vitrine_live_events_delivered_total", "Events handed to a subscriber of this process.",
			func(s Stats) uint64 { return s.Delivered }),
		counter("vitrine_live_events_dropped_total", "Events dropped: a stalled subscriber's full buffer, or a failed NOTIFY.",
			func(s Stats) uint64 { return s.Dropped }),
	}
}
