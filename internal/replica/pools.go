package replica

import "database/sql"

// Pool is one replica's connection pool, for exporting its statistics.
type Pool struct {
	// Name is the replica's host:port, as /readyz reports it.
	Name string
	DB   *sql.DB
}

// Pools returns the replicas' connection pools (the primary's is the store's).
func (r *Router) Pools() []Pool {
	out := make([]Pool, len(r.replicas))
	for i, m := range r.replicas {
		out[i] = Pool{Name: m.name, DB: m.db}
	}
	return out
}
