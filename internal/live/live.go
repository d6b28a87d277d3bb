// Package live carries change events from writes to GraphQL subscriptions, within one process
// (the embedded store) or across every process on one Postgres database (LISTEN/NOTIFY). Events
// are small — IDs only — and published only once the write's transaction has committed;
// subscribers re-read what they show through the ordinary read path.
package live

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/vitrinehq/vitrine/ent"
)

// Kind says what changed.
type Kind string

// The kinds of events. Reset is not a change: it tells every subscriber that events may have
// been missed (the Postgres listener lost its connection) and that state should be re-read.
const (
	ReviewCreated Kind = "review.created"
	ReviewUpdated Kind = "review.updated"
	ReviewDeleted Kind = "review.deleted"
	RatingChanged Kind = "rating.changed"
	// ProductDeleted ends the product's subscriptions (after a last event) and changes the
	// aggregates of its category: its reviews and ratings went with it.
	ProductDeleted Kind = "product.deleted"
	Reset          Kind = "reset"
)

// ChangesRatings reports whether ev changes the rating aggregates of its product and category.
func (ev Event) ChangesRatings() bool {
	return ev.Kind == RatingChanged || ev.Kind == ProductDeleted
}

// ends reports whether ev is the last event of a subscription to productID's events.
func ends(productID int, ev Event) bool {
	return productID != 0 && ev.Kind == ProductDeleted && ev.ProductID == productID
}

// Event is one committed change. Its JSON form is the NOTIFY payload, a few dozen bytes.
type Event struct {
	Kind      Kind `json:"k"`
	ProductID int  `json:"p,omitempty"`
	// CategoryID is the product's category, so aggregate subscriptions can tell whether the
	// change is in their scope without a query.
	CategoryID int `json:"c,omitempty"`
	ReviewID   int `json:"r,omitempty"`
	UserID     int `json:"u,omitempty"`
	// At is when the write committed (Unix nanoseconds), for the fan-out latency metric.
	At int64 `json:"t,omitempty"`
	// Trace is the W3C traceparent of the publishing span, so delivery spans join the write's
	// trace; empty (and left out of the payload) when tracing is off.
	Trace string `json:"tp,omitempty"`
}

// execer runs a statement: an ent client (of a transaction) or a *sql.DB.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// DefaultBuffer is how many undelivered events a subscriber may hold before it is cut off.
const DefaultBuffer = 64

// Stats are the broker's counters since it started.
type Stats struct {
	Published, Delivered, Dropped uint64
	// Subscribers are the broker's subscriptions: one per shared stream, however many clients
	// it feeds (Websocket.Subscriptions counts the clients').
	Subscribers int64
}

// Broker fans events out to the subscribers of this process. Without a transport it delivers
// what this process publishes (the embedded store); ListenPostgres makes it deliver what any
// process publishes. A nil *Broker publishes nothing, so domains work without one.
type Broker struct {
	// Tracer, when set, spans each event's delivery to this process's subscribers and the
	// reads shared by a product's reviewEvents subscribers, as children of the publishing span.
	// Set it before the broker is used.
	Tracer trace.Tracer

	buffer int

	mu        sync.RWMutex
	byProduct map[int]map[*Subscription]struct{}
	all       map[*Subscription]struct{}

	// notify hands an event to the transport, through ex (a transaction) or, when ex is nil,
	// a statement of its own; nil delivers events here.
	notify func(ctx context.Context, ex execer, ev Event) error
	// latency, when set, observes the time from commit to delivery of each event.
	latency func(time.Duration)

	published, delivered, dropped atomic.Uint64
	subscribers                   atomic.Int64

	// groups are the shared aggregate streams by key (shared.go).
	groupsMu sync.Mutex
	groups   map[string]any
}

// NewBroker returns an in-process broker whose subscribers may each hold buffer undelivered
// events (0: DefaultBuffer).
func NewBroker(buffer int) *Broker {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Broker{buffer: buffer, byProduct: map[int]map[*Subscription]struct{}{}, all: map[*Subscription]struct{}{}}
}

// Stats returns the counters.
func (b *Broker) Stats() Stats {
	return Stats{Published: b.published.Load(), Delivered: b.delivered.Load(), Dropped: b.dropped.Load(),
		Subscribers: b.subscribers.Load()}
}

// Publish sends ev once the transaction in ctx commits, and never if it rolls back; without a
// transaction in ctx, at once. On Postgres the NOTIFY is the transaction's last statement
// before COMMIT: Postgres delivers it at commit and drops it on rollback, so the write and its
// event are one — a NOTIFY that fails fails the commit (the transaction is rolled back and the
// writer gets the error) instead of leaving other processes unaware of a committed write.
// Without a transaction, errors of the transport are not the writer's: they are counted as
// dropped events and this process's subscribers are told to resync.
func (b *Broker) Publish(ctx context.Context, ev Event) {
	if b == nil {
		return
	}
	ev.Trace = traceparent(ctx)
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		b.publish(ctx, ev)
		return
	}
	if b.notify != nil {
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				// Stamped as late as possible, one round trip before COMMIT: the latency
				// metric measures commit to delivery, not the rest of the transaction.
				ev.At = time.Now().UnixNano()
				if err := b.notify(ctx, tx.Client(), ev); err != nil {
					// The commit hook returns before COMMIT; nobody else ends the transaction.
					_ = tx.Rollback()
					return fmt.Errorf("live: publish %s: %w", ev.Kind, err)
				}
				if err := next.Commit(ctx, tx); err != nil {
					return err
				}
				b.published.Add(1)
				return nil
			})
		})
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			b.publish(ctx, ev)
			return nil
		})
	})
}

// publish sends ev now: to this process's subscribers, or through the transport in a
// statement of its own.
func (b *Broker) publish(ctx context.Context, ev Event) {
	b.published.Add(1)
	ev.At = time.Now().UnixNano()
	if b.notify == nil {
		b.deliver(ev)
		return
	}
	// The write is committed: the client's answer must not fail or wait on the fan-out.
	if err := b.notify(context.WithoutCancel(ctx), nil, ev); err != nil {
		b.dropped.Add(1)
		b.deliver(Event{Kind: Reset})
	}
}

// Subscription receives the events of one product, or of every product.
type Subscription struct {
	ch       chan Event
	b        *Broker
	product  int
	overflow func()
	release  func()
	once     sync.Once
	cut      sync.Once
	// lossy subscriptions (SubscribeLossy) drop what their buffer cannot hold and remember that
	// they did, instead of being closed.
	lossy  bool
	missed atomic.Bool
}

// Missed reports, and forgets, whether a lossy subscription dropped events since the last call.
func (s *Subscription) Missed() bool { return s.missed.Swap(false) }

// SubscribeLossy is Subscribe for a reader that only needs to know that something happened
// (it re-reads the state, as Latest does): when its buffer is full, events are dropped and
// Missed reports it, rather than the subscription being closed. A burst of writes then costs
// a re-read, not every watcher's subscription. It counts against no connection's cap.
func (b *Broker) SubscribeLossy(productID int) *Subscription {
	s, _ := b.Subscribe(context.Background(), productID)
	s.lossy = true
	return s
}

// C is the subscription's events, closed when the subscription is.
func (s *Subscription) C() <-chan Event { return s.ch }

// Subscribe returns a subscription to the events of productID (0: every product), counted
// against the cap of the WebSocket connection in ctx (TOO_MANY_SUBSCRIPTIONS beyond it). When
// its buffer is full — its reader stalled — the event is dropped and the connection is closed
// with CloseSlowConsumer (without a connection, the subscription is closed): a client never
// silently misses an event, and memory never grows with a stalled reader.
func (b *Broker) Subscribe(ctx context.Context, productID int) (*Subscription, error) {
	conn := ConnFromContext(ctx)
	release, err := conn.acquire()
	if err != nil {
		return nil, err
	}
	s := &Subscription{ch: make(chan Event, b.buffer), b: b, product: productID, release: release}
	s.overflow = func() {
		if conn != nil {
			conn.Close(CloseSlowConsumer, "events were not read in time")
		}
		s.Close()
	}
	b.mu.Lock()
	if productID == 0 {
		b.all[s] = struct{}{}
	} else {
		set := b.byProduct[productID]
		if set == nil {
			set = map[*Subscription]struct{}{}
			b.byProduct[productID] = set
		}
		set[s] = struct{}{}
	}
	b.mu.Unlock()
	b.subscribers.Add(1)
	return s, nil
}

// Close ends the subscription; its channel is closed. It is safe to call more than once.
func (s *Subscription) Close() {
	s.once.Do(func() {
		b := s.b
		b.mu.Lock()
		if s.product == 0 {
			delete(b.all, s)
		} else if set := b.byProduct[s.product]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(b.byProduct, s.product)
			}
		}
		// Under the lock: deliver sends only while holding it, so nothing sends on a closed channel.
		close(s.ch)
		b.mu.Unlock()
		b.subscribers.Add(-1)
		s.release()
	})
}

// deliver hands ev to every matching subscriber of this process without ever blocking.
func (b *Broker) deliver(ev Event) {
	if b.latency != nil && ev.At != 0 {
		b.latency(time.Since(time.Unix(0, ev.At)))
	}
	_, span := b.startSpan(context.Background(), "live deliver "+string(ev.Kind), ev)
	defer span.End()
	var overflowed []*Subscription
	offered := 0
	defer func() { span.SetAttributes(attribute.Int("vitrine.live.subscriptions", offered)) }()
	b.mu.RLock()
	offer := func(s *Subscription) {
		offered++
		select {
		case s.ch <- ev:
			b.delivered.Add(1)
		default:
			b.dropped.Add(1)
			if s.lossy {
				s.missed.Store(true)
				return
			}
			overflowed = append(overflowed, s)
		}
	}
	if ev.Kind == Reset {
		for _, set := range b.byProduct {
			for s := range set {
				offer(s)
			}
		}
	} else {
		for s := range b.byProduct[ev.ProductID] {
			offer(s)
		}
	}
	for s := range b.all {
		offer(s)
	}
	b.mu.RUnlock()
	for _, s := range overflowed {
		if s.overflow != nil {
			s.cut.Do(func() { go s.overflow() })
		}
	}
}
