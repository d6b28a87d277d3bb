package apperr

// Codes raised outside this package's callers, named here so that ClassOf can group them; the
// packages that raise them name these (ratelimit.CodeRateLimited,
// persisted.CodeNotAllowed, throttle.CodeThrottled).
const (
	RateLimited              Code = "RATE_LIMITED"
	Throttled                Code = "THROTTLED"
	PersistedQueryNotAllowed Code = "PERSISTED_QUERY_NOT_ALLOWED"
)

// Class groups error codes by what an operator does about them: client errors are the
// caller's to fix, rejections are guard rails doing their job (a spike means abuse or a
// client asking for too much), timeouts and server errors are the service's.
type Class string

// Classes, from the least to the most serious.
const (
	ClassClient   Class = "client_error"
	ClassRejected Class = "rejected"
	ClassTimeout  Class = "timeout"
	ClassServer   Class = "server_error"
)

// ClassOf returns the class of code. Codes it does not know (gqlgen's validation and parse
// codes, input errors) are client errors.
func ClassOf(code Code) Class {
	switch code {
	case Internal:
		return ClassServer
	case Timeout:
		return ClassTimeout
	case QueryTooDeep, QueryTooComplex, QueryTooLarge, TooManyAliases, TooManyRootFields,
		TooManyDirectives, TooManyFields, PayloadTooLarge, SlowConsumer, RateLimited, Throttled, PersistedQueryNotAllowed:
		return ClassRejected
	}
	return ClassClient
}

// Worse reports whether class a is more serious than b.
func (a Class) Worse(b Class) bool { return rank(a) > rank(b) }

func rank(c Class) int {
	switch c {
	case ClassClient:
		return 1
	case ClassRejected:
		return 2
	case ClassTimeout:
		return 3
	case ClassServer:
		return 4
	}
	return 0
}
