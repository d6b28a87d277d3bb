// Command liveidle opens many idle GraphQL subscriptions against a running Vitrine and reports
// the server's resident memory and CPU time while they sit idle (bench/live-idle.sh runs it).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	coderws "github.com/coder/websocket"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/graphql", "the server's WebSocket URL")
	n := flag.Int("n", 10000, "subscriptions to open, one per connection")
	pid := flag.Int("pid", 0, "the server's process ID, to read its memory and CPU time")
	idle := flag.Duration("idle", 10*time.Second, "how long to measure the idle server")
	flag.Parse()

	ctx := context.Background()
	before := rss(*pid)
	var opened atomic.Int64
	conns := make([]*coderws.Conn, *n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	start := time.Now()
	for i := range *n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := subscribe(ctx, *url)
			if err != nil {
				log.Printf("connection %d: %v", i, err)
				return
			}
			conns[i] = c
			opened.Add(1)
		}()
	}
	wg.Wait()
	fmt.Printf("opened %d of %d subscriptions in %s\n", opened.Load(), *n, time.Since(start).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // let the server settle
	cpu0 := cpuTime(*pid)
	time.Sleep(*idle)
	cpu1 := cpuTime(*pid)
	after := rss(*pid)
	fmt.Printf("server RSS before %d MB, with the subscriptions %d MB\n", before>>10, after>>10)
	fmt.Printf("server CPU while idle for %s: %s (%.2f%% of one core)\n", *idle, cpu1-cpu0, 100*float64(cpu1-cpu0)/float64(*idle))
	for _, c := range conns {
		if c != nil {
			_ = c.CloseNow()
		}
	}
}

// subscribe opens one connection with one catalog-wide aggregate subscription, and answers the
// server's pings in the background.
func subscribe(ctx context.Context, url string) (*coderws.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := coderws.Dial(dctx, url, &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	if err := c.Write(dctx, coderws.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
		return nil, err
	}
	if _, msg, err := c.Read(dctx); err != nil || !strings.Contains(string(msg), "connection_ack") {
		return nil, fmt.Errorf("no connection_ack: %v %s", err, msg)
	}
	if err := c.Write(dctx, coderws.MessageText, []byte(`{"id":"1","type":"subscribe","payload":{"query":"subscription { ratingStatsChanged { count average } }"}}`)); err != nil {
		return nil, err
	}
	go func() {
		for {
			_, msg, err := c.Read(context.Background())
			if err != nil {
				return
			}
			if strings.Contains(string(msg), `"ping"`) {
				_ = c.Write(context.Background(), coderws.MessageText, []byte(`{"type":"pong"}`))
			}
		}
	}()
	return c, nil
}

// rss is the process's resident set in kB (0 without a pid).
func rss(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb
		}
	}
	return 0
}

// cpuTime is the process's user+system CPU time.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}
