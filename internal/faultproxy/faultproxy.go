// Package faultproxy is a TCP proxy for fault tests. It forwards to a target (a throwaway
// Postgres database, a Redis) until the test freezes it: then every socket stays open and
// nothing is forwarded, as when the server's processes are stopped (SIGSTOP) or the network
// drops packets, without stopping a server other tests share.
package faultproxy

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards connections from its listener on 127.0.0.1 to a target address.
type Proxy struct {
	l      net.Listener
	target string

	mu     sync.Mutex
	open   chan struct{} // closed while forwarding; a fresh channel while frozen
	conns  map[net.Conn]struct{}
	closed chan struct{}
}

// Start starts a proxy to target, stopped when tb ends.
func Start(tb testing.TB, target string) *Proxy {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("faultproxy: %v", err)
	}
	open := make(chan struct{})
	close(open)
	p := &Proxy{l: l, target: target, open: open, conns: map[net.Conn]struct{}{}, closed: make(chan struct{})}
	go p.serve()
	tb.Cleanup(p.Close)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.l.Addr().String() }

// Freeze stops forwarding: connections stay open and new ones are accepted (as the kernel
// accepts them for a stopped server), but no byte goes through until Thaw.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
		p.open = make(chan struct{})
	default:
	}
}

// Thaw resumes forwarding.
func (p *Proxy) Thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
	default:
		close(p.open)
	}
}

// Close stops the listener and closes every connection.
func (p *Proxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.closed:
		return
	default:
	}
	close(p.closed)
	_ = p.l.Close()
	for c := range p.conns {
		_ = c.Close()
	}
}

// wait blocks while the proxy is frozen; it reports false once the proxy is closed.
func (p *Proxy) wait() bool {
	p.mu.Lock()
	open := p.open
	p.mu.Unlock()
	select {
	case <-open:
		return true
	case <-p.closed:
		return false
	}
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.closed:
		_ = c.Close()
		return false
	default:
		p.conns[c] = struct{}{}
		return true
	}
}

func (p *Proxy) serve() {
	for {
		client, err := p.l.Accept()
		if err != nil {
			return
		}
		if p.track(client) {
			go p.forward(client)
		}
	}
}

func (p *Proxy) forward(client net.Conn) {
	defer client.Close()
	if !p.wait() {
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	if !p.track(server) {
		return
	}
	done := make(chan struct{}, 2)
	go p.pipe(server, client, done)
	go p.pipe(client, server, done)
	<-done // one side ended: close both
}

// pipe copies src to dst, holding each chunk while the proxy is frozen.
func (p *Proxy) pipe(dst, src net.Conn, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.wait() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
