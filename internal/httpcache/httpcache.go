// Package httpcache lets browsers, CDNs and proxies cache public GraphQL reads: a GET for a
// query that involves nobody's identity and answers without errors gets
// `Cache-Control: public, max-age=N`, a strong ETag and 304 answers to If-None-Match.
// Everything else is `private, no-store`. The GraphQL layer decides what is public with
// Policy.Responses; the HTTP side is Policy.Middleware.
package httpcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Private is the Cache-Control of anything not known to be public.
const Private = "private, no-store"

// Policy is the caching policy of the GraphQL endpoint.
type Policy struct {
	// MaxAge is the max-age of public responses; @cacheControl(maxAge:) may lower it.
	MaxAge time.Duration
}

// verdict is what the GraphQL layer found out about a request; the zero value is private.
type verdict struct {
	public bool
	maxAge time.Duration
}

type ctxKey struct{}

func fromContext(ctx context.Context) *verdict {
	v, _ := ctx.Value(ctxKey{}).(*verdict)
	return v
}

// Middleware buffers GET responses to hash them into an ETag and set their caching headers;
// other methods are answered `private, no-store` without buffering.
func (p *Policy) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Cache-Control", Private)
			next.ServeHTTP(w, r)
			return
		}
		v := &verdict{maxAge: p.MaxAge}
		buf := &bufferedWriter{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(buf, r.WithContext(context.WithValue(r.Context(), ctxKey{}, v)))

		h := w.Header()
		// The answer depends on the representation asked for and on who asks.
		h.Add("Vary", "Accept")
		h.Add("Vary", "Authorization")
		h.Del("Content-Length")
		if !v.public || buf.status != http.StatusOK || r.Header.Get("Authorization") != "" {
			h.Set("Cache-Control", Private)
			w.WriteHeader(buf.status)
			_, _ = w.Write(buf.body.Bytes())
			return
		}
		etag := entityTag(h.Get("Content-Type"), buf.body.Bytes())
		h.Set("ETag", etag)
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(v.maxAge/time.Second)))
		if matches(r.Header.Get("If-None-Match"), etag) {
			h.Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// entityTag is a strong validator: a hash of the exact bytes and their media type, since one
// URL serves application/json and application/graphql-response+json.
func entityTag(contentType string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(contentType))
	h.Write([]byte{0})
	h.Write(body)
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}

// matches implements If-None-Match's weak comparison (RFC 9110 13.1.2) against a strong tag.
func matches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}

// bufferedWriter holds a response until its headers can be decided.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) WriteHeader(status int)      { b.status = status }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
