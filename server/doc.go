// Package server is the request path: server.go says, top to bottom, everything a request to
// /graphql passes through, in order — the HTTP layers (one router group), then gqlgen's
// extensions (one ordered list). cmd/vitrine only builds the parts from the configuration and
// hands them over in Options; graph holds the schema, the resolvers and the error presenter;
// each layer's own code lives in its internal package. Imports go downward: cmd → server →
// graph → domain (catalog, analytics, feedback, quiz, account) → store.
//
// # Per-request state
//
// Most of what a request carries flows down: the request ID, the client IP (proxy.ClientIPs),
// the deadline, the viewer (auth), the read-your-writes routing (replica), the loaders. A few
// facts are known only deep inside and needed outside, so an outer layer puts a slot in the
// context that an inner one fills. These stay, each for its reason:
//
//   - reqlog.Info (made by the access log): the operation, its errors' codes and whether the
//     GraphQL layer refused it for a rate limit or the cost throttle. The access log, the
//     metrics and ratelimit.Refusals (the 429 and Retry-After) run outside gqlgen and can
//     learn these no other way. It is the one channel for such facts.
//   - sqlcount.Counter (made per operation when the slow-operation log is on): only the driver
//     sees statements; the log line is written around the operation.
//   - throttle's bucket status (a slot made by Throttle.HTTP): extensions.cost is written by the
//     cost report, registered outside the throttle so that the throttle's own refusals carry
//     it too.
//   - replica's routing state (made by Router.Middleware): the driver pins the request to the
//     primary after its first write and notes a replica connection that broke mid-read, which
//     the retry of broken replica reads (outside the executor) reads.
//   - auth's viewer is swapped once by register and login (auth.SignIn), so that the rest of
//     that request acts as the new user; it is read only by resolvers that run later.
package server
