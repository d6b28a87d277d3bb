package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/replica"
)

// resolverError is an error of Vitrine's own making that must reach the client as an internal
// error whatever it wraps: a recovered panic.
type resolverError struct{ err error }

func (e *resolverError) Error() string { return e.err.Error() }
func (e *resolverError) Unwrap() error { return e.err }

// ErrorPresenter returns the gqlgen error presenter: the one place where errors become
// extensions.code. Clients see codes and actionable messages; SQL, stack traces and internal
// messages only reach the log.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		// A connection that broke under a replica read makes the operation run again on the
		// primary (see server.retryBrokenReplicaReads); every resolver error passes here.
		replica.NoteError(ctx, err)
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		code, msg, field := classify(ctx, err, gqlErr)
		if code == apperr.Timeout {
			log.WarnContext(ctx, "request deadline exceeded", "err", err, "path", gqlErr.Path.String())
		}
		if code == apperr.Internal {
			// A client that went away cancels every pending resolver; that is not a fault.
			if errors.Is(err, context.Canceled) {
				log.DebugContext(ctx, "request cancelled", "path", gqlErr.Path.String())
			} else {
				log.ErrorContext(ctx, "resolver error", "err", err, "path", gqlErr.Path.String())
			}
			msg = "internal error"
		}
		out := &gqlerror.Error{
			Message:    msg,
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": string(code)},
			Rule:       gqlErr.Rule,
		}
		if field != "" {
			out.Extensions["field"] = field
		}
		// Lets a client's bug report be matched with the server's log lines.
		if id := middleware.GetReqID(ctx); id != "" {
			out.Extensions["requestId"] = id
		}
		return out
	}
}

func classify(ctx context.Context, err error, gqlErr *gqlerror.Error) (apperr.Code, string, string) {
	if e, ok := apperr.As(err); ok {
		return e.Code, e.Message, e.Field
	}
	if code, msg, ok := classifyLimit(ctx, err, gqlErr); ok {
		return code, msg, ""
	}
	switch {
	case ent.IsNotFound(err):
		return apperr.NotFound, "no object exists with this ID", ""
	case ent.IsValidationError(err):
		var ve *ent.ValidationError
		errors.As(err, &ve)
		return apperr.BadInput, ve.Error(), ve.Name
	case ent.IsConstraintError(err):
		return apperr.BadInput, "the change conflicts with existing data", ""
	}
	var marked *resolverError
	if errors.As(err, &marked) {
		return apperr.Internal, "", ""
	}
	if code, ok := gqlErr.Extensions["code"].(string); ok {
		switch code {
		case string(apperr.NotFound):
			// entgql's node errors quote the raw numeric ID; clients only know the opaque one.
			return apperr.NotFound, "no object exists with this ID", ""
		case "INVALID_PAGINATION": // entgql's own code, not one of Vitrine's
			return apperr.BadInput, gqlErr.Message, ""
		}
		return apperr.Code(code), gqlErr.Message, ""
	}
	if gqlErr.Err != nil {
		// gqlgen wraps what a resolver returns with the field's location (the spec requires one
		// on field errors); what it raises while coercing arguments and variables carries none,
		// and there the request is at fault.
		if len(gqlErr.Locations) > 0 {
			return apperr.Internal, "", ""
		}
		return apperr.BadInput, "invalid argument: " + gqlErr.Message, ""
	}
	if gqlErr.Rule != "" || len(gqlErr.Locations) > 0 {
		return apperr.Code(errcode.ValidationFailed), gqlErr.Message, ""
	}
	if len(gqlErr.Path) == 0 {
		return apperr.BadRequest, requestErrorMessage(gqlErr.Message), ""
	}
	return apperr.Internal, "", ""
}

// Recover turns a resolver panic into an internal error and logs the stack.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "resolver panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return &resolverError{err: errors.New("panic in resolver")}
	}
}

// requestErrorMessage rewrites gqlgen's transport errors, some of which echo the whole request
// body back, into short messages.
func requestErrorMessage(msg string) string {
	switch {
	case strings.HasPrefix(msg, "json request body could not be decoded"):
		return "the request body is not valid JSON: send {\"query\": \"...\", \"variables\": {...}}"
	case strings.HasPrefix(msg, "could not read request body"):
		return "the request body could not be read (it may exceed the size limit)"
	}
	return msg
}
