// Package webasset serves the files of the pages the binary embeds (the playground, the ratings
// dashboard): each under a URL that carries its content hash, so it is cacheable for a year, and
// with the Subresource Integrity value the page's tags check.
package webasset

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Set is a page's files, served under one URL prefix.
type Set struct {
	prefix string
	files  map[string]file
}

type file struct {
	body        []byte
	contentType string
	// integrity is the Subresource Integrity value of body, derived at start so it cannot
	// drift from the bytes served.
	integrity string
	// etag doubles as the cache-busting version in the page's URLs.
	etag string
}

// Load reads the files named in types (file name → Content-Type) from dir in fsys. prefix is
// the URL path under which the caller mounts Handler (e.g. "/dashboard/assets/"); it must start
// with "/", and a trailing "/" is added when missing.
func Load(fsys fs.FS, dir, prefix string, types map[string]string) (*Set, error) {
	if !strings.HasPrefix(prefix, "/") {
		return nil, fmt.Errorf("asset prefix %q must be an absolute path starting with /", prefix)
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	s := &Set{prefix: prefix, files: make(map[string]file, len(types))}
	for name, contentType := range types {
		body, err := fs.ReadFile(fsys, dir+"/"+name)
		if err != nil {
			return nil, fmt.Errorf("embedded asset: %w", err)
		}
		sum := sha512.Sum384(body)
		s.files[name] = file{
			body:        body,
			contentType: contentType,
			integrity:   "sha384-" + base64.StdEncoding.EncodeToString(sum[:]),
			etag:        hex.EncodeToString(sum[:8]),
		}
	}
	return s, nil
}

// Ref is what a page's tag needs to load one file: its URL and its integrity value.
type Ref struct {
	URL       template.URL
	Integrity string
}

// Ref returns the tag attributes of the named file. The content hash in the query string changes
// whenever the file does, which makes the year-long immutable caching of Handler safe.
func (s *Set) Ref(name string) Ref {
	f := s.files[name]
	return Ref{URL: template.URL(s.prefix + name + "?v=" + f.etag), Integrity: f.integrity}
}

// Handler serves the files. It strips the prefix itself, so it also works behind
// http.StripPrefix or a router that already removed it.
func (s *Set) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !GetOrHead(w, r) {
			return
		}
		name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, s.prefix), "/")
		f, ok := s.files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", `"`+f.etag+`"`)
		// ServeContent gives HEAD, Range and If-None-Match handling.
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
	})
}

// GetOrHead answers 405 with Allow to any other method, and reports whether r may go on.
func GetOrHead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

// ConnectSources is the connect-src of a page that talks to the GraphQL endpoint: 'self', and
// for an endpoint on another origin that origin twice, over HTTP and over its WebSocket (ws or
// wss), which subscriptions use.
func ConnectSources(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	connect := "'self'"
	if u.Host != "" {
		ws := "ws"
		if u.Scheme == "https" {
			ws = "wss"
		}
		connect += " " + u.Scheme + "://" + u.Host + " " + ws + "://" + u.Host
	}
	return connect, nil
}

// Page serves an HTML page under csp, with the headers in extra. It is no-cache, so a new
// binary's asset hashes reach browsers at once.
func Page(page []byte, csp string, extra map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !GetOrHead(w, r) {
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", csp)
		for k, v := range extra {
			h.Set(k, v)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page))
	})
}
