package apperr

// Codes of requests refused by a guard rail (internal/limits) before they ran, or stopped by the
// request deadline. Clients can tell them apart from input errors: the remedy is to ask for less.
const (
	QueryTooDeep      Code = "QUERY_TOO_DEEP"
	QueryTooComplex   Code = "QUERY_TOO_COMPLEX"
	QueryTooLarge     Code = "QUERY_TOO_LARGE"
	TooManyAliases    Code = "TOO_MANY_ALIASES"
	TooManyRootFields Code = "TOO_MANY_ROOT_FIELDS"
	TooManyDirectives Code = "TOO_MANY_DIRECTIVES"
	TooManyFields     Code = "TOO_MANY_FIELDS"
	PayloadTooLarge   Code = "PAYLOAD_TOO_LARGE"
	UnsupportedMedia  Code = "UNSUPPORTED_MEDIA_TYPE"
	BadRequest        Code = "BAD_REQUEST"
	MethodNotAllowed  Code = "METHOD_NOT_ALLOWED"
	Timeout           Code = "TIMEOUT"
	// TooManySubscriptions refuses a subscription over the cap of one WebSocket connection.
	TooManySubscriptions Code = "TOO_MANY_SUBSCRIPTIONS"
	// SlowConsumer ends an event stream whose client did not read its events in time.
	SlowConsumer Code = "SLOW_CONSUMER"
	// ShuttingDown ends an event stream when the server stops; the client reconnects, to
	// another server.
	ShuttingDown Code = "SHUTTING_DOWN"
)
