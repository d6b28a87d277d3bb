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
	v := auth.FromContext(ctx)
	if v == nil {
		return nil, apperr.Errorf(apperr.Unauthenticated, "log in first: send an Authorization: Bearer <token> header (get a token from the login mutation)")
	}
	if requires != nil && *requires == user.RoleADMIN && !v.IsAdmin() {
		return nil, apperr.Errorf(apperr.Forbidden, "this requires the ADMIN role")
	}
	return next(ctx)
}

// rejectBadCredentials refuses a whole request whose token did not verify, even if it only
// reads public fields, so clients notice an expired or forged session.
func rejectBadCredentials(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if err := auth.CredentialError(ctx); err != nil {
		graphql.AddError(ctx, err)
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	}
	return next(ctx)
}
