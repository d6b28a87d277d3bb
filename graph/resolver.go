package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/graph/model"
	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/analytics"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/catalog"
	"github.com/vitrinehq/vitrine/internal/feedback"
	"github.com/vitrinehq/vitrine/internal/live"
	"github.com/vitrinehq/vitrine/internal/quiz"
)

// Resolver is the root resolver. Its dependencies are explicit so tests can build one over any
// store.
type Resolver struct {
	Client    *ent.Client
	Catalog   *catalog.Catalog
	Analytics *analytics.Analytics
	Accounts  *account.Accounts
	Feedback  *feedback.Feedback
	Tokens    *auth.Tokens
	// Finder, not Quizzes: the query resolver's quizzes field would shadow that name.
	Finder *quiz.Finder
	// Live, when set, serves subscriptions; the domains publish to the same broker.
	Live *live.Broker
	// LiveInterval is the least time between two events of an aggregate subscription (0: 1 s).
	LiveInterval time.Duration
}

// session issues a token for a user who just registered or logged in; the rest of the request
// acts as that user, so the payload shows the user's own private fields.
func (r *Resolver) session(ctx context.Context, u *ent.User) (*model.AuthPayload, error) {
	tok, exp, err := r.Tokens.Issue(u.ID, u.Role)
	if err != nil {
		return nil, err
	}
	auth.SignIn(ctx, &auth.Viewer{UserID: u.ID, Role: u.Role})
	return &model.AuthPayload{Token: tok, ExpiresAt: exp, User: u}, nil
}

// ref adapts a (value, error) result to the pointer gqlgen expects.
func ref[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// or is *p, or def when a client passed an explicit null for an argument with a default.
func or[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// mayViewPrivate reports whether the caller may see u's private fields: u themselves or an admin.
func mayViewPrivate(ctx context.Context, u *ent.User) bool {
	v := auth.FromContext(ctx)
	return v != nil && (v.UserID == u.ID || v.IsAdmin())
}

// errNoNode is how a node the caller may not see is reported: like one that does not exist.
var errNoNode = apperr.Errorf(apperr.NotFound, "no object exists with this ID")

// visibleNode hides objects the caller may not see behind NOT_FOUND.
func (r *Resolver) visibleNode(ctx context.Context, n ent.Noder) (ent.Noder, error) {
	ok, err := r.Finder.NodeVisible(ctx, n)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoNode
	}
	return n, nil
}

// visibleNodes nulls the entries the caller may not see, each with a NOT_FOUND error.
func (r *Resolver) visibleNodes(ctx context.Context, ns []ent.Noder) ([]ent.Noder, error) {
	for i, n := range ns {
		if n == nil {
			continue
		}
		ok, err := r.Finder.NodeVisible(ctx, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			ns[i] = nil
			graphql.AddError(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), errNoNode)
		}
	}
	return ns, nil
}
