package config

import (
	"errors"
	"flag"
)

// Defaults of the cost throttle, documented in the README. A client's bucket holds two
// requests at the default cost budget (limits.DefaultMaxCost) and restores one such request's
// worth every five seconds; the gate lets two such requests (or about seven of the canonical
// products_nested query, cost 1,301) run at once, and never holds up a query under 1,000.
const (
	DefaultCostBucket      = 10_000
	DefaultCostRestoreRate = 1_000
	DefaultCostConcurrency = 10_000
	DefaultCostExpensive   = 1_000
)

// Throttle configures the cost throttle (internal/throttle).
type Throttle struct {
	// Bucket is the points a client's bucket holds (0 turns the buckets off).
	Bucket int
	// RestoreRate is the points restored to a bucket every second.
	RestoreRate int
	// Concurrency is the total cost of expensive operations that run at once (0: no bound).
	Concurrency int
	// Expensive is the cost from which an operation counts against Concurrency.
	Expensive int
}

func (c *Throttle) flags(fs *flag.FlagSet, e *envReader) {
	fs.IntVar(&c.Bucket, "cost-bucket", e.int("VITRINE_COST_BUCKET", DefaultCostBucket), "cost points a client (user, or IP when anonymous) can spend at once; 0 disables the cost throttle (VITRINE_COST_BUCKET)")
	fs.IntVar(&c.RestoreRate, "cost-restore-rate", e.int("VITRINE_COST_RESTORE_RATE", DefaultCostRestoreRate), "cost points restored to a client's bucket per second (VITRINE_COST_RESTORE_RATE)")
	fs.IntVar(&c.Concurrency, "cost-concurrency", e.int("VITRINE_COST_CONCURRENCY", DefaultCostConcurrency), "total cost of expensive operations running at once in this process; 0 disables the bound (VITRINE_COST_CONCURRENCY)")
	fs.IntVar(&c.Expensive, "cost-expensive", e.int("VITRINE_COST_EXPENSIVE", DefaultCostExpensive), "cost from which an operation waits for room under VITRINE_COST_CONCURRENCY (VITRINE_COST_EXPENSIVE)")
}

func (c *Throttle) validate() error {
	if c.Bucket < 0 || c.Concurrency < 0 {
		return errors.New("VITRINE_COST_BUCKET and VITRINE_COST_CONCURRENCY must be 0 (off) or positive")
	}
	if c.Bucket > 0 && c.RestoreRate <= 0 {
		return errors.New("VITRINE_COST_RESTORE_RATE must be positive while VITRINE_COST_BUCKET is on")
	}
	if c.Expensive < 1 {
		return errors.New("VITRINE_COST_EXPENSIVE must be at least 1")
	}
	return nil
}
