package live

import "github.com/prometheus/client_golang/prometheus"

// Collectors report the broker's and the WebSocket transport's state to Prometheus, read when
// scraped: nothing is counted twice on the delivery path.
func Collectors(b *Broker, w *Websocket) []prometheus.Collector {
	counter := func(name, help string, v func(Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(v(b.Stats())) })
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vitrine_live_connections",
			Help: "Open GraphQL WebSocket connections."}, func() float64 { return float64(w.Connections()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vitrine_live_subscriptions",
			Help: "Subscriptions running in this process."}, func() float64 { return float64(b.Stats().Subscribers) }),
		counter("vitrine_live_events_published_total", "Committed changes this process published.",
			func(s Stats) uint64 { return s.Published }),
		counter("vitrine_live_events_delivered_total", "Events handed to a subscriber of this process.",
			func(s Stats) uint64 { return s.Delivered }),
		counter("vitrine_live_events_dropped_total", "Events dropped: a stalled subscriber's full buffer, or a failed NOTIFY.",
			func(s Stats) uint64 { return s.Dropped }),
	}
}
