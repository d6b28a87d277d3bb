// Package persisted provides the document stores behind persisted queries: caches for Apollo's
// automatic persisted queries (APQ), in process or shared through Redis, and the trusted
// documents that production can restrict clients to.
package persisted

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"

	"github.com/vitrinehq/vitrine/internal/redisconn"
)

// LocalSize is how many documents an in-process APQ cache keeps.
const LocalSize = 1000

// SharedTTL is how long Redis keeps a registered document after its last use.
const SharedTTL = 24 * time.Hour

// Hash returns a document's APQ hash: the lowercase hex sha256 of its exact text.
func Hash(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

// NewLocal returns the in-process APQ cache: an LRU of LocalSize documents.
func NewLocal() graphql.Cache[string] { return lru.New[string](LocalSize) }

// Shared is an APQ cache in Redis, so that a document registered through one replica is known
// to all. A small in-process LRU sits in front: a hash names its text forever, so a local copy
// never goes stale, and hot documents cost no round trip.
type Shared struct {
	rdb    redis.UniversalClient
	prefix string
	local  graphql.Cache[string]
	log    *slog.Logger
}

// NewShared returns a Redis-backed APQ cache whose keys start with prefix (e.g. "vitrine:apq:").
func NewShared(rdb redis.UniversalClient, prefix string, log *slog.Logger) *Shared {
	return &Shared{rdb: rdb, prefix: prefix, local: NewLocal(), log: log}
}

// Get implements graphql.Cache. A Redis failure reads as a miss: the client then sends the
// full document, which still works.
func (s *Shared) Get(ctx context.Context, hash string) (string, bool) {
	if doc, ok := s.local.Get(ctx, hash); ok {
		return doc, true
	}
	doc, err := s.rdb.GetEx(ctx, s.prefix+hash, SharedTTL).Result()
	if err != nil {
		// While the circuit is open the client logged it once; every request need not.
		if !errors.Is(err, redis.Nil) && !errors.Is(err, redisconn.ErrUnavailable) {
			s.log.WarnContext(ctx, "persisted query lookup in redis failed", "err", err)
		}
		return "", false
	}
	// Redis is shared: only trust what matches its key.
	if Hash(doc) != hash {
		return "", false
	}
	s.local.Add(ctx, hash, doc)
	return doc, true
}

// Add implements graphql.Cache. gqlgen checked that hash is the document's sha256. gqlgen calls
// it for every request that carries the text with its hash; a document this process already
// holds was registered in Redis when it first came, so it is not written again.
func (s *Shared) Add(ctx context.Context, hash, doc string) {
	if _, ok := s.local.Get(ctx, hash); ok {
		return
	}
	s.local.Add(ctx, hash, doc)
	if err := s.rdb.Set(ctx, s.prefix+hash, doc, SharedTTL).Err(); err != nil && !errors.Is(err, redisconn.ErrUnavailable) {
		s.log.WarnContext(ctx, "persisted query registration in redis failed", "err", err)
	}
}
