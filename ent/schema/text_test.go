package schema_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// Text limits count characters: accented text at the limit is stored, one character more is not.
func TestTextLimitsCountCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		textLimits(t, st.Client)
	})
}

func textLimits(t *testing.T, c *ent.Client) {
	ctx := context.Background()
	cat := c.Category.Create().SetName(strings.Repeat("é", 200)).SetSlug("accents")
	_, err := cat.Save(ctx)
	require.NoError(t, err)
	_, err = c.Category.Create().SetName(strings.Repeat("é", 201)).SetSlug("too-long").Save(ctx)
	require.Error(t, err)

	u := c.User.Create().SetEmail("a@example.com").SetPasswordHash("!").SetDisplayName(strings.Repeat("ü", 100))
	_, err = u.Save(ctx)
	require.NoError(t, err)
	_, err = c.User.Create().SetEmail("b@example.com").SetPasswordHash("!").SetDisplayName(strings.Repeat("ü", 101)).Save(ctx)
	require.Error(t, err)
}
