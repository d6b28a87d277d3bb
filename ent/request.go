package ent

// Hand-written, not generated: entc leaves files it did not write alone.

import "context"

// For returns the client of the transaction ctx carries (mutations run in one, so a
// mutation's reads see its own writes), or c when there is none. Every domain package
// reads and writes through it rather than keeping its own copy of the rule.
func (c *Client) For(ctx context.Context) *Client {
	if tx := FromContext(ctx); tx != nil {
		return tx
	}
	return c
}

// Args returns ids as arguments for sql.Builder.Args, which writes them as one
// "?, ?, …" list (an IN list) in the builder's dialect.
func Args(ids []int) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// SetAuthorEdge records u as r's author, loaded, as eager loading with WithAuthor does (a nil u
// reads as "not found"). For callers that load the authors of many reviews in one statement of
// their own: catalog's review pages pass the IDs as one array parameter where WithAuthor writes
// an IN list of hundreds.
func (r *Review) SetAuthorEdge(u *User) {
	r.Edges.Author = u
	r.Edges.loadedTypes[1] = true
}
