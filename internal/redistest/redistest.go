// Package redistest gives tests a real Redis: VITRINE_TEST_REDIS_URL, or 127.0.0.1:6379. Without
// one the test is skipped loudly, except under CI=true, where that is a failure.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultURL is where tests look for Redis when VITRINE_TEST_REDIS_URL is unset.
const DefaultURL = "redis://127.0.0.1:6379/0"

// Client returns a client and a key prefix unique to this test; keys under the prefix are
// deleted when the test ends.
func Client(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	url := os.Getenv("VITRINE_TEST_REDIS_URL")
	if url == "" {
		url = DefaultURL
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("VITRINE_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		msg := "REDIS UNAVAILABLE at " + opts.Addr + " (" + err.Error() + "): start redis-server or set VITRINE_TEST_REDIS_URL"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip("SKIPPED: " + msg)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "vitrinetest:" + hex.EncodeToString(b) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, "*"+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}
