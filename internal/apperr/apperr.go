// Package apperr is Vitrine's error vocabulary. Domain code returns *Error values with a Code;
// the GraphQL layer translates them to extensions.code in one place. Anything that is not an
// *Error is treated as internal and never shown to clients.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients. The values are the GraphQL extensions.code strings.
type Code string

// Error codes understood by the GraphQL error presenter.
const (
	BadInput        Code = "BAD_USER_INPUT"
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	Internal        Code = "INTERNAL_SERVER_ERROR"
)

// Error is an error a client can act on: a code, a message meant for a frontend developer and,
// for input errors, the argument or input field at fault.
type Error struct {
	Code    Code
	Message string
	// Field names the offending argument or input field (e.g. "first", "input.slug"), if any.
	Field string
	// Err is the underlying cause; it is logged, never shown.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns a BAD_USER_INPUT error that names the offending field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: BadInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns err's code: Internal for anything that is not an *Error.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}
