package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/graph"
	"github.com/vitrinehq/vitrine/internal/gqltest"
	"github.com/vitrinehq/vitrine/internal/quiz"
	"github.com/vitrinehq/vitrine/internal/relay"
)

const createQuiz = `mutation($in: QuizInput!) { createQuiz(input: $in) {
	id slug published questions { id prompt kind required options { id label } } } }`

type apiQuiz struct {
	ID, Slug  string
	Published bool
	Questions []struct {
		ID, Prompt, Kind string
		Required         bool
		Options          []struct{ ID, Label string }
	}
}

// finderQuiz: Q1 (single, required) pulls toward outdoor or kitchen; Q2 (multiple, optional)
// adds product and category weights.
func finderQuiz(e *env) map[string]any {
	id := relay.Encode
	fx := e.fx
	return map[string]any{"title": "Find your gear", "slug": "find-your-gear", "questions": []any{
		map[string]any{"prompt": "Where will you use it?", "kind": "SINGLE", "options": []any{
			map[string]any{"label": "Outdoors", "weights": []any{map[string]any{"categoryID": id(fx.outdoor.ID), "weight": 3}}},
			map[string]any{"label": "Kitchen", "weights": []any{map[string]any{"categoryID": id(fx.kitchen.ID), "weight": 3}}},
		}},
		map[string]any{"prompt": "What matters?", "kind": "MULTIPLE", "required": false, "options": []any{
			map[string]any{"label": "Low", "weights": []any{
				map[string]any{"productID": id(fx.products[10].ID), "weight": 2},
				map[string]any{"categoryID": id(fx.tents.ID), "weight": -1},
			}},
			map[string]any{"label": "High", "weights": []any{map[string]any{"productID": id(fx.products[6].ID), "weight": 5}}},
			map[string]any{"label": "Any"},
		}},
	}}
}

func submit(t *testing.T, c *gqltest.Client, quizID string, answers []any, first int) ([]string, string) {
	t.Helper()
	var out struct {
		SubmitQuiz struct {
			Recommendations []struct {
				Product struct{ ID string }
				Score   float64
			}
			Submission struct{ ID string }
		}
	}
	c.MustData(t, &out, `mutation($q: ID!, $a: [QuizAnswerInput!]!, $n: Int) { submitQuiz(quizID: $q, answers: $a) {
		recommendations(first: $n) { product { id } score } submission { id } } }`,
		map[string]any{"q": quizID, "a": answers, "n": first})
	var ids []string
	for _, r := range out.SubmitQuiz.Recommendations {
		ids = append(ids, r.Product.ID)
	}
	return ids, out.SubmitQuiz.Submission.ID
}

func answer(q string, opts ...string) map[string]any {
	return map[string]any{"questionID": q, "optionIDs": append([]string{}, opts...)}
}

func TestQuizzes(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.fx
		admin, alice, bob := e.asUser(t, fx.users[0]), e.asUser(t, fx.users[1]), e.asUser(t, fx.users[2])

		// Authoring validation, each with the path of the offending field.
		bad := []struct {
			name, field string
			edit        func(in map[string]any)
		}{
			{"ErrNoQuestions", "input.questions", func(in map[string]any) { in["questions"] = []any{} }},
			{"ErrOneOption", "input.questions[0].options", func(in map[string]any) {
				q := in["questions"].([]any)[0].(map[string]any)
				q["options"] = q["options"].([]any)[:1]
			}},
			{"ErrBadSlug", "input.slug", func(in map[string]any) { in["slug"] = "Find Gear" }},
			{"ErrHugeWeight", "input.questions[1].options[1].weights[0].weight", func(in map[string]any) {
				in["questions"].([]any)[1].(map[string]any)["options"].([]any)[1].(map[string]any)["weights"] =
					[]any{map[string]any{"productID": relay.Encode(fx.products[6].ID), "weight": 1e9}}
			}},
			{"ErrWeightTarget", "input.questions[0].options[0].weights[0]", func(in map[string]any) {
				in["questions"].([]any)[0].(map[string]any)["options"].([]any)[0].(map[string]any)["weights"] =
					[]any{map[string]any{"productID": relay.Encode(fx.products[6].ID), "categoryID": relay.Encode(fx.tents.ID), "weight": 1}}
			}},
			{"ErrUnknownProduct", "input.questions", func(in map[string]any) {
				in["questions"].([]any)[0].(map[string]any)["options"].([]any)[0].(map[string]any)["weights"] =
					[]any{map[string]any{"productID": relay.Encode(fx.products[6].ID + 9999), "weight": 1}}
			}},
		}
		for _, tt := range bad {
			in := finderQuiz(e)
			tt.edit(in)
			before := snapshot(t, e.st.Client)
			got := admin.MustError(t, "BAD_USER_INPUT", createQuiz, map[string]any{"in": in})
			require.Equal(t, tt.field, got.Extensions["field"], "%s: %s", tt.name, got.Message)
			require.Equal(t, before, snapshot(t, e.st.Client))
		}
		alice.MustError(t, "FORBIDDEN", createQuiz, map[string]any{"in": finderQuiz(e)})

		var created struct{ CreateQuiz apiQuiz }
		admin.MustData(t, &created, createQuiz, map[string]any{"in": finderQuiz(e)})
		qz := created.CreateQuiz
		require.False(t, qz.Published)
		admin.MustError(t, "BAD_USER_INPUT", createQuiz, map[string]any{"in": finderQuiz(e)}) // slug taken
		q1, q2 := qz.Questions[0], qz.Questions[1]
		outdoors, kitchen := q1.Options[0].ID, q1.Options[1].ID
		low, high := q2.Options[0].ID, q2.Options[1].ID

		// A draft is invisible to everyone but admins.
		e.gql.MustError(t, "NOT_FOUND", `{ quiz(slug: "find-your-gear") { id } }`, nil)
		e.gql.MustError(t, "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": qz.ID})
		e.gql.MustError(t, "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": q1.ID})
		alice.MustError(t, "NOT_FOUND", `mutation($q: ID!, $a: [QuizAnswerInput!]!) { submitQuiz(quizID: $q, answers: $a) { submission { id } } }`,
			map[string]any{"q": qz.ID, "a": []any{answer(q1.ID, outdoors)}})
		var list struct{ Quizzes struct{ TotalCount int } }
		e.gql.MustData(t, &list, `{ quizzes { totalCount } }`, nil)
		require.Zero(t, list.Quizzes.TotalCount)
		admin.MustData(t, &list, `{ quizzes { totalCount } }`, nil)
		require.Equal(t, 1, list.Quizzes.TotalCount)
		admin.MustData(t, &struct{}{}, `mutation($id: ID!) { publishQuiz(id: $id) { id } }`, map[string]any{"id": qz.ID})
		e.gql.MustData(t, &list, `{ quizzes { totalCount } }`, nil)
		require.Equal(t, 1, list.Quizzes.TotalCount)

		// Invalid answers.
		other := fx.products[0] // not a question
		for name, answers := range map[string][]any{
			"ErrForeignQuestion": {answer(relay.Encode(other.ID), outdoors)},
			"ErrForeignOption":   {answer(q1.ID, low)},
			"ErrTwoOnSingle":     {answer(q1.ID, outdoors, kitchen)},
			"ErrDuplicateOption": {answer(q1.ID, outdoors), answer(q2.ID, low, low)},
			"ErrDuplicateAnswer": {answer(q1.ID, outdoors), answer(q1.ID, kitchen)},
			"ErrRequiredMissing": {answer(q2.ID, low)},
			"ErrNoOptions":       {answer(q1.ID)},
		} {
			got := e.gql.MustError(t, "BAD_USER_INPUT", `mutation($q: ID!, $a: [QuizAnswerInput!]!) { submitQuiz(quizID: $q, answers: $a) { submission { id } } }`,
				map[string]any{"q": qz.ID, "a": answers})
			require.NotEmpty(t, got.Extensions["field"], name)
		}

		// Scoring on a hand-computed fixture (see finderQuiz): with Outdoors + Low + High,
		// P6 (tents, +3 -1 +5) = 7, P10 (tents, +3 -1 +2) = 4, then the outdoor and camping
		// products at 3, P13 (rated 5) and P24 (rated 4) before the unrated by ID. Products
		// out of stock (i%7 == 0) and kitchen products (no weight) never appear.
		e.st.Client.Rating.Create().SetProduct(fx.products[13]).SetUser(fx.users[1]).SetStars(5).ExecX(ctx)
		e.st.Client.Rating.Create().SetProduct(fx.products[24]).SetUser(fx.users[1]).SetStars(4).ExecX(ctx)
		id := func(i int) string { return relay.Encode(fx.products[i].ID) }
		got, anonSub := submit(t, e.gql, qz.ID, []any{answer(q1.ID, outdoors), answer(q2.ID, low, high)}, 6)
		require.Equal(t, []string{id(6), id(10), id(13), id(24), id(1), id(4)}, got)

		// Logged-in submissions are linked to the user; anonymous ones to nobody.
		_, aliceSub := submit(t, alice, qz.ID, []any{answer(q1.ID, kitchen)}, 5)
		var me struct {
			Me struct {
				QuizSubmissions struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							ID      string
							Answers []struct {
								Prompt string
								Chosen []string
							}
						}
					}
				}
			}
		}
		alice.MustData(t, &me, `{ me { quizSubmissions { totalCount edges { node { id answers { prompt chosen } } } } } }`, nil)
		require.Equal(t, 1, me.Me.QuizSubmissions.TotalCount)
		require.Equal(t, aliceSub, me.Me.QuizSubmissions.Edges[0].Node.ID)
		bob.MustError(t, "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": aliceSub})
		e.gql.MustError(t, "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": anonSub})

		// Updating keeps IDs passed back, replaces the rest, and leaves past answers intact.
		in := finderQuiz(e)
		qs := in["questions"].([]any)
		first := qs[0].(map[string]any)
		first["id"] = q1.ID
		first["options"].([]any)[0].(map[string]any)["id"] = outdoors
		first["options"].([]any)[0].(map[string]any)["label"] = "Out in nature"
		first["options"].([]any)[1].(map[string]any)["id"] = kitchen
		in["questions"] = []any{first, map[string]any{"prompt": "New?", "options": []any{map[string]any{"label": "Yes"}, map[string]any{"label": "No"}}}}
		var updated struct{ UpdateQuiz apiQuiz }
		admin.MustData(t, &updated, `mutation($id: ID!, $in: QuizInput!) { updateQuiz(id: $id, input: $in) {
			id slug published questions { id prompt kind required options { id label } } } }`, map[string]any{"id": qz.ID, "in": in})
		require.Len(t, updated.UpdateQuiz.Questions, 2)
		require.Equal(t, q1.ID, updated.UpdateQuiz.Questions[0].ID)
		require.Equal(t, outdoors, updated.UpdateQuiz.Questions[0].Options[0].ID)
		require.Equal(t, "Out in nature", updated.UpdateQuiz.Questions[0].Options[0].Label)
		require.NotEqual(t, q2.ID, updated.UpdateQuiz.Questions[1].ID)
		alice.MustData(t, &me, `{ me { quizSubmissions { totalCount edges { node { id answers { prompt chosen } } } } } }`, nil)
		require.Equal(t, []string{"Kitchen"}, me.Me.QuizSubmissions.Edges[0].Node.Answers[0].Chosen)
		in["questions"] = []any{map[string]any{"id": q2.ID, "prompt": "Gone?", "options": []any{map[string]any{"label": "a"}, map[string]any{"label": "b"}}}}
		got2 := admin.MustError(t, "BAD_USER_INPUT", `mutation($id: ID!, $in: QuizInput!) { updateQuiz(id: $id, input: $in) { id } }`, map[string]any{"id": qz.ID, "in": in})
		require.Equal(t, "input.questions[0].id", got2.Extensions["field"])
	})
}

func TestQuizStatsMatchBruteForce(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		admin := e.asUser(t, e.fx.users[0])
		var created struct{ CreateQuiz apiQuiz }
		admin.MustData(t, &created, createQuiz, map[string]any{"in": finderQuiz(e)})
		qz := created.CreateQuiz
		admin.MustData(t, &struct{}{}, `mutation($id: ID!) { publishQuiz(id: $id) { id } }`, map[string]any{"id": qz.ID})
		q1, q2 := qz.Questions[0], qz.Questions[1]
		o := func(q int, i int) string { return qz.Questions[q].Options[i].ID }
		plans := [][]any{
			{answer(q1.ID, o(0, 0))},
			{answer(q1.ID, o(0, 0)), answer(q2.ID, o(1, 0))},
			{answer(q1.ID, o(0, 1)), answer(q2.ID, o(1, 0), o(1, 1))},
			{answer(q1.ID, o(0, 0)), answer(q2.ID, o(1, 2))},
			{answer(q1.ID, o(0, 1))},
			{answer(q1.ID, o(0, 0)), answer(q2.ID, o(1, 1))},
		}
		picks := map[string]int{}
		answered := map[string]int{}
		recommended := map[string]int{}
		for _, plan := range plans {
			// Every stored recommendation is read back, and only the first quiz.StatsRanks
			// count, as the schema says.
			recs, _ := submit(t, e.gql, qz.ID, plan, quiz.MaxRecommendations)
			require.Greater(t, len(recs), quiz.StatsRanks, "the test needs recommendations past the counted ranks")
			for _, r := range recs[:quiz.StatsRanks] {
				recommended[r]++
			}
			for _, a := range plan {
				m := a.(map[string]any)
				answered[m["questionID"].(string)]++
				for _, opt := range m["optionIDs"].([]string) {
					picks[opt]++
				}
			}
		}
		var out struct {
			QuizStats struct {
				SubmissionCount int
				Questions       []struct {
					Question       struct{ ID string }
					Answered       int
					CompletionRate float64
					Options        []struct {
						Option struct{ ID string }
						Picks  int
						Share  float64
					}
				}
				TopRecommendedProducts []struct {
					Product struct{ ID string }
					Count   int
				}
			}
		}
		const q = `query($id: ID!) { quizStats(quizID: $id) { submissionCount
			questions { question { id } answered completionRate options { option { id } picks share } }
			topRecommendedProducts(first: 100) { product { id } count } } }`
		e.asUser(t, e.fx.users[1]).MustError(t, "FORBIDDEN", q, map[string]any{"id": qz.ID})
		admin.MustData(t, &out, q, map[string]any{"id": qz.ID})
		st := out.QuizStats
		require.Equal(t, len(plans), st.SubmissionCount)
		require.Len(t, st.Questions, 2)
		for _, qs := range st.Questions {
			require.Equal(t, answered[qs.Question.ID], qs.Answered)
			require.InDelta(t, float64(answered[qs.Question.ID])/float64(len(plans)), qs.CompletionRate, 1e-9)
			for _, os := range qs.Options {
				require.Equal(t, picks[os.Option.ID], os.Picks, "option %s", os.Option.ID)
				require.InDelta(t, float64(picks[os.Option.ID])/float64(answered[qs.Question.ID]), os.Share, 1e-9)
			}
		}
		require.Len(t, st.TopRecommendedProducts, len(recommended))
		for i, r := range st.TopRecommendedProducts {
			require.Equal(t, recommended[r.Product.ID], r.Count)
			if i > 0 {
				require.LessOrEqual(t, r.Count, st.TopRecommendedProducts[i-1].Count)
			}
		}
	})
}

// TestQuizStatsCountIsDescribed keeps the schema's word for RecommendedProductStats.count in
// step with what quiz.Stats counts.
func TestQuizStatsCountIsDescribed(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	count := schema.Types["RecommendedProductStats"].Fields.ForName("count")
	require.Contains(t, count.Description, fmt.Sprintf("first %d recommendations", quiz.StatsRanks))
}
