package quiz_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/ent/quizquestion"
	"github.com/vitrinehq/vitrine/ent/user"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/quiz"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func ptr[T any](v T) *T { return &v }

func requireField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	require.True(t, ok, "want an *apperr.Error, got %v", err)
	require.Equal(t, code, e.Code, e.Message)
	require.Equal(t, field, e.Field, e.Message)
}

// shop is root ─ shoes, and a hat in root; boots are in shoes but out of stock.
type shop struct {
	root, shoes                int
	sneaker, sandal, hat, boot int
}

func newShop(t *testing.T, st *store.Store) shop {
	ctx := context.Background()
	c := st.Client
	root := c.Category.Create().SetName("Root").SetSlug("root").SaveX(ctx)
	shoes := c.Category.Create().SetName("Shoes").SetSlug("shoes").SetParent(root).SaveX(ctx)
	n := 0
	mk := func(cat, stock int) int {
		n++
		return c.Product.Create().SetSku(fmt.Sprint("S", n)).SetName("P").SetSlug(fmt.Sprint("p-", n)).
			SetPrice(1).SetStock(stock).SetCategoryID(cat).SaveX(ctx).ID
	}
	return shop{root: root.ID, shoes: shoes.ID, sneaker: mk(shoes.ID, 5), sandal: mk(shoes.ID, 5), hat: mk(root.ID, 5), boot: mk(shoes.ID, 0)}
}

// input is a valid two-question quiz over s; tests break one thing at a time.
func input(s shop) quiz.Input {
	return quiz.Input{Title: "Find your shoe", Slug: "find-your-shoe", Questions: []*quiz.QuestionInput{
		{Prompt: "Where?", Kind: quizquestion.KindSINGLE, Required: true, Options: []*quiz.OptionInput{
			{Label: "Outdoors", Weights: []*quiz.WeightInput{{CategoryID: &s.shoes, Weight: 2}}},
			{Label: "Anywhere", Weights: []*quiz.WeightInput{{CategoryID: &s.root, Weight: 1}}},
		}},
		{Prompt: "Extras?", Kind: quizquestion.KindMULTIPLE, Options: []*quiz.OptionInput{
			{Label: "Sandals", Weights: []*quiz.WeightInput{{ProductID: &s.sandal, Weight: 5}}},
			{Label: "Not hats", Weights: []*quiz.WeightInput{{ProductID: &s.hat, Weight: -3}}},
			{Label: "Nothing"},
		}},
	}}
}

func TestAuthoringValidationNamesTheOffendingField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		q := quiz.New(st.Client, st.Dialect)
		admin := auth.NewContext(context.Background(), &auth.Viewer{UserID: 1, Role: user.RoleADMIN})
		for _, tc := range []struct {
			name  string
			spoil func(*quiz.Input)
			field string
		}{
			{"blank title", func(in *quiz.Input) { in.Title = "  " }, "input.title"},
			{"long title", func(in *quiz.Input) { in.Title = strings.Repeat("t", 201) }, "input.title"},
			{"bad slug", func(in *quiz.Input) { in.Slug = "Find Your Shoe" }, "input.slug"},
			{"no questions", func(in *quiz.Input) { in.Questions = nil }, "input.questions"},
			{"blank prompt", func(in *quiz.Input) { in.Questions[1].Prompt = "" }, "input.questions[1].prompt"},
			{"one option", func(in *quiz.Input) { in.Questions[0].Options = in.Questions[0].Options[:1] }, "input.questions[0].options"},
			{"blank label", func(in *quiz.Input) { in.Questions[1].Options[2].Label = " " }, "input.questions[1].options[2].label"},
			{"infinite weight", func(in *quiz.Input) { in.Questions[0].Options[0].Weights[0].Weight = math.Inf(1) }, "input.questions[0].options[0].weights[0].weight"},
			{"weight too large", func(in *quiz.Input) { in.Questions[0].Options[0].Weights[0].Weight = 1e7 }, "input.questions[0].options[0].weights[0].weight"},
			{"weight on both", func(in *quiz.Input) { in.Questions[0].Options[0].Weights[0].ProductID = &s.hat }, "input.questions[0].options[0].weights[0]"},
			{"weight on neither", func(in *quiz.Input) { in.Questions[0].Options[0].Weights[0].CategoryID = nil }, "input.questions[0].options[0].weights[0]"},
			{"unknown category", func(in *quiz.Input) { in.Questions[0].Options[0].Weights[0].CategoryID = ptr(1 << 20) }, "input.questions"},
			{"unknown product", func(in *quiz.Input) { in.Questions[1].Options[0].Weights[0].ProductID = ptr(1 << 20) }, "input.questions"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := input(s)
				tc.spoil(&in)
				_, err := q.Create(admin, in)
				requireField(t, err, apperr.BadInput, tc.field)
			})
		}
		_, err := q.Create(admin, input(s))
		require.NoError(t, err)
		_, err = q.Create(admin, input(s))
		requireField(t, err, apperr.BadInput, "input.slug")
		require.Equal(t, 1, st.Client.Quiz.Query().CountX(admin), "refused inputs write nothing")
	})
}

func TestDraftsAreAdminOnlyAndSubmissionsFollowTheRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		q := quiz.New(st.Client, st.Dialect)
		admin := auth.NewContext(context.Background(), &auth.Viewer{UserID: 1, Role: user.RoleADMIN})
		anon := context.Background()
		qz, err := q.Create(admin, input(s))
		require.NoError(t, err)

		_, err = q.Get(anon, qz.ID)
		requireField(t, err, apperr.NotFound, "")
		_, err = q.Submit(anon, qz.ID, nil)
		requireField(t, err, apperr.NotFound, "")
		_, err = q.SetPublished(admin, qz.ID, true)
		require.NoError(t, err)
		got, err := q.BySlug(anon, "find-your-shoe")
		require.NoError(t, err)
		require.Equal(t, qz.ID, got.ID)

		qs, err := q.Questions(anon, qz.ID)
		require.NoError(t, err)
		require.Len(t, qs, 2)
		where, extras := qs[0], qs[1]
		if where.Prompt != "Where?" {
			where, extras = extras, where
		}
		opts := func(qu int) map[string]int {
			os, err := q.Options(anon, qu)
			require.NoError(t, err)
			m := map[string]int{}
			for _, o := range os {
				m[o.Label] = o.ID
			}
			return m
		}
		w, x := opts(where.ID), opts(extras.ID)

		for _, tc := range []struct {
			name    string
			answers []*quiz.Answer
			field   string
		}{
			{"required question unanswered", []*quiz.Answer{{QuestionID: extras.ID, OptionIDs: []int{x["Nothing"]}}}, "answers"},
			{"question of another quiz", []*quiz.Answer{{QuestionID: 1 << 20, OptionIDs: []int{1}}}, "answers[0].questionID"},
			{"question answered twice", []*quiz.Answer{{QuestionID: where.ID, OptionIDs: []int{w["Outdoors"]}}, {QuestionID: where.ID, OptionIDs: []int{w["Anywhere"]}}}, "answers[1].questionID"},
			{"no option chosen", []*quiz.Answer{{QuestionID: where.ID}}, "answers[0].optionIDs"},
			{"two options on a single-choice question", []*quiz.Answer{{QuestionID: where.ID, OptionIDs: []int{w["Outdoors"], w["Anywhere"]}}}, "answers[0].optionIDs"},
			{"option of another question", []*quiz.Answer{{QuestionID: where.ID, OptionIDs: []int{x["Sandals"]}}}, "answers[0].optionIDs[0]"},
			{"option chosen twice", []*quiz.Answer{{QuestionID: where.ID, OptionIDs: []int{w["Outdoors"]}}, {QuestionID: extras.ID, OptionIDs: []int{x["Sandals"], x["Sandals"]}}}, "answers[1].optionIDs[1]"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := q.Submit(anon, qz.ID, tc.answers)
				requireField(t, err, apperr.BadInput, tc.field)
			})
		}
		require.Zero(t, st.Client.QuizSubmission.Query().CountX(admin), "refused submissions are not stored")

		// Scores: "Anywhere" gives the root's weight 1 to every product in its tree (the tree
		// flows down to shoes); "Sandals" adds 5 to the sandal, "Not hats" -3 to the hat; the
		// boot is out of stock and never recommended.
		res, err := q.Submit(anon, qz.ID, []*quiz.Answer{
			{QuestionID: where.ID, OptionIDs: []int{w["Anywhere"]}},
			{QuestionID: extras.ID, OptionIDs: []int{x["Sandals"], x["Not hats"]}},
		})
		require.NoError(t, err)
		recs, err := res.Recommendations(ptr(quiz.MaxRecommendations))
		require.NoError(t, err)
		var ranked []int
		scores := map[int]float64{}
		for _, r := range recs {
			ranked = append(ranked, r.Product.ID)
			scores[r.Product.ID] = r.Score
		}
		require.Equal(t, []int{s.sandal, s.sneaker, s.hat}, ranked)
		require.Equal(t, map[int]float64{s.sandal: 6, s.sneaker: 1, s.hat: -2}, scores)

		top, err := res.Recommendations(ptr(1))
		require.NoError(t, err)
		require.Len(t, top, 1)
		for _, first := range []int{0, quiz.MaxRecommendations + 1} {
			_, err := res.Recommendations(&first)
			requireField(t, err, apperr.BadInput, "first")
		}
	})
}
