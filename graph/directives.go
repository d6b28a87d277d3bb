package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
)

// Auth implements @auth(requires:): the one place where roles are enforced. Ownership rules
// ("only the author") live in the domain.
func Auth(ctx context.Context, _ any, next graphql.Resolver, requires *user.Role) (any, error) {
	if err := authorize(ctx, requires); err != nil {
		return nil, err
	}
	return next(ctx)
}

func authorize(ctx context.Context, requires *user.Role) error {
	v := auth.FromContext(ctx)
	if v == nil {
		return apperr.Errorf(apperr.Unauthenticated, "log in first: send an Authorization: Bearer <token> header (get a token from the login mutation)")
	}
	if requires != nil && *requires == user.RoleADMIN && !v.IsAdmin() {
		return apperr.Errorf(apperr.Forbidden, "this requires the ADMIN role")
	}
	return nil
}

// AuthorizeRootFields applies a root field's @auth before gqlgen decodes its arguments, which
// it does before running the directive: otherwise a caller without a token was told that an
// argument is malformed (BAD_USER_INPUT) rather than that they may not call the field, and
// could probe argument validation without credentials. Auth still guards every field.
func AuthorizeRootFields(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rc := graphql.GetRootFieldContext(ctx)
	if rc == nil || rc.Field.Definition == nil {
		return next(ctx)
	}
	d := rc.Field.Definition.Directives.ForName("auth")
	if d == nil {
		return next(ctx)
	}
	requires := user.RoleUSER // the directive's default
	if arg := d.Arguments.ForName("requires"); arg != nil && arg.Value != nil {
		requires = user.Role(arg.Value.Raw)
	}
	if err := authorize(ctx, &requires); err != nil {
		// A field context gives the error the field's path, as the directive's error has.
		graphql.AddError(graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: rc.Object, Field: rc.Field}), err)
		return graphql.Null
	}
	return next(ctx)
}

// RejectBadCredentials refuses a whole request whose token did not verify, even if it only
// reads public fields, so clients notice an expired or forged session.
func RejectBadCredentials(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if err := auth.CredentialError(ctx); err != nil {
		graphql.AddError(ctx, err)
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	}
	return next(ctx)
}
