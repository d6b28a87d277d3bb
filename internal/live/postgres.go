package live

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// Channel is the Postgres NOTIFY channel every Vitrine process listens on.
const Channel = "vitrine_live"

// ListenPostgres makes b publish through Postgres NOTIFY — inside the writing transaction when
// there is one, on db otherwise — and deliver what it hears on
// one LISTEN connection to url — one per process, whatever the number of subscribers. When
// that connection breaks (a Postgres restart, a failover), it reconnects with backoff and then
// delivers a Reset event to every subscriber: notifications sent while it was away are lost,
// and subscribers re-read their state. It returns once listening; the listener stops when ctx
// ends.
func (b *Broker) ListenPostgres(ctx context.Context, url string, db *sql.DB, log *slog.Logger) error {
	events := func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			log.Warn("live: the LISTEN connection to Postgres broke; reconnecting", "err", err)
		case pq.ListenerEventReconnected:
			log.Info("live: LISTEN connection to Postgres restored; subscribers told to resync")
		case pq.ListenerEventConnectionAttemptFailed:
			log.Warn("live: reconnecting to Postgres failed; retrying", "err", err)
		}
	}
	l := pq.NewListener(url, 100*time.Millisecond, 5*time.Second, events)
	if err := l.Listen(Channel); err != nil {
		_ = l.Close()
		return fmt.Errorf("live: LISTEN %s: %w", Channel, err)
	}
	b.notify = func(ctx context.Context, ex execer, ev Event) error {
		payload, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if ex == nil {
			ex = db
		}
		if _, err := ex.ExecContext(ctx, "SELECT pg_notify($1, $2)", Channel, string(payload)); err != nil {
			log.Error("live: NOTIFY failed", "err", err, "kind", ev.Kind)
			return err
		}
		return nil
	}
	go b.listen(ctx, l, log)
	return nil
}

func (b *Broker) listen(ctx context.Context, l *pq.Listener, log *slog.Logger) {
	defer l.Close()
	// A broken connection is noticed only when used: ping it when nothing arrives for a while.
	idle := time.NewTicker(30 * time.Second)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-l.Notify:
			if n == nil {
				// pq sends nil after a reconnect: whatever was notified meanwhile is lost.
				b.deliver(Event{Kind: Reset})
				continue
			}
			var ev Event
			if err := json.Unmarshal([]byte(n.Extra), &ev); err != nil {
				log.Warn("live: ignoring a malformed notification", "err", err)
				continue
			}
			b.deliver(ev)
		case <-idle.C:
			go func() { _ = l.Ping() }()
		}
	}
}
