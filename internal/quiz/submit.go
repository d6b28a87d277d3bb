package quiz

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/quizquestion"
	"github.com/vitrinehq/vitrine/ent/quizrecommendation"
	"github.com/vitrinehq/vitrine/ent/quizsubmission"
	"github.com/vitrinehq/vitrine/ent/schema"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/catalog"
)

// MaxRecommendations is how many ranked products a submission keeps.
const MaxRecommendations = 20

// Answer is one answered question of a submission.
type Answer struct {
	QuestionID int
	OptionIDs  []int
}

// Recommendation is a ranked product.
type Recommendation struct {
	Product *ent.Product
	Score   float64
}

// Result is a scored submission.
type Result struct {
	Submission *ent.QuizSubmission
	ranked     []*Recommendation
}

// Recommendations returns the best first products (1 to MaxRecommendations).
func (r *Result) Recommendations(first *int) ([]*Recommendation, error) {
	n := 5
	if first != nil {
		n = *first
	}
	if n < 1 || n > MaxRecommendations {
		return nil, apperr.InvalidField("first", "first must be between 1 and %d", MaxRecommendations)
	}
	return r.ranked[:min(n, len(r.ranked))], nil
}

// Submit validates answers against the quiz, scores products in SQL, and stores the
// submission with a snapshot of what was chosen, its picks and its recommendations.
func (q *Finder) Submit(ctx context.Context, quizID int, answers []*Answer) (*Result, error) {
	qz, err := q.Get(ctx, quizID)
	if err != nil {
		return nil, err
	}
	questions, err := q.client.For(ctx).QuizQuestion.Query().Where(quizquestion.QuizID(qz.ID)).
		WithOptions(func(oq *ent.QuizOptionQuery) { oq.WithWeights() }).All(ctx)
	if err != nil {
		return nil, err
	}
	snapshot, chosen, err := checkAnswers(questions, answers)
	if err != nil {
		return nil, err
	}
	ranked, err := q.score(ctx, chosen)
	if err != nil {
		return nil, err
	}
	sub, err := q.store(ctx, qz.ID, snapshot, ranked)
	if err != nil {
		return nil, err
	}
	return &Result{Submission: sub, ranked: ranked}, nil
}

// checkAnswers enforces the answering rules and snapshots the chosen options with their
// weights as they are now.
func checkAnswers(questions []*ent.QuizQuestion, answers []*Answer) ([]schema.SubmittedAnswer, []int, error) {
	byID := make(map[int]*ent.QuizQuestion, len(questions))
	for _, qu := range questions {
		byID[qu.ID] = qu
	}
	answered := map[int]bool{}
	var snapshot []schema.SubmittedAnswer
	var chosen []int
	for i, a := range answers {
		path := fmt.Sprintf("answers[%d]", i)
		qu, ok := byID[a.QuestionID]
		if !ok {
			return nil, nil, apperr.InvalidField(path+".questionID", "this question does not belong to the quiz")
		}
		if answered[qu.ID] {
			return nil, nil, apperr.InvalidField(path+".questionID", "this question is answered twice")
		}
		answered[qu.ID] = true
		if len(a.OptionIDs) == 0 {
			return nil, nil, apperr.InvalidField(path+".optionIDs", "choose at least one option")
		}
		if qu.Kind == quizquestion.KindSINGLE && len(a.OptionIDs) != 1 {
			return nil, nil, apperr.InvalidField(path+".optionIDs", "this question takes exactly one option")
		}
		ans := schema.SubmittedAnswer{QuestionID: qu.ID, Prompt: qu.Prompt}
		seen := map[int]bool{}
		for j, oid := range a.OptionIDs {
			opt := findOption(qu, oid)
			if opt == nil {
				return nil, nil, apperr.InvalidField(fmt.Sprintf("%s.optionIDs[%d]", path, j), "this option does not belong to the question")
			}
			if seen[oid] {
				return nil, nil, apperr.InvalidField(fmt.Sprintf("%s.optionIDs[%d]", path, j), "this option is chosen twice")
			}
			seen[oid] = true
			chosen = append(chosen, oid)
			ans.Options = append(ans.Options, snapshotOption(opt))
		}
		snapshot = append(snapshot, ans)
	}
	for _, qu := range questions {
		if qu.Required && !answered[qu.ID] {
			return nil, nil, apperr.InvalidField("answers", "the required question %q is not answered", qu.Prompt)
		}
	}
	return snapshot, chosen, nil
}

func findOption(qu *ent.QuizQuestion, id int) *ent.QuizOption {
	for _, o := range qu.Edges.Options {
		if o.ID == id {
			return o
		}
	}
	return nil
}

func snapshotOption(o *ent.QuizOption) schema.SubmittedOption {
	so := schema.SubmittedOption{OptionID: o.ID, Label: o.Label}
	for _, w := range o.Edges.Weights {
		so.Weights = append(so.Weights, schema.SubmittedWeight{CategoryID: w.CategoryID, ProductID: w.ProductID, Weight: w.Weight})
	}
	return so
}

// score ranks products in one statement: chosen category weights flow down the category tree
// (a recursive CTE), product weights add directly, out-of-stock products drop out, and only
// the candidates at or above the 20th best score have their average rating computed for the
// tie-break.
func (q *Finder) score(ctx context.Context, options []int) ([]*Recommendation, error) {
	b := &sql.Builder{}
	b.SetDialect(q.dialect)
	in := func() { b.Args(ent.Args(options)...) }
	b.WriteString("WITH RECURSIVE base(category_id, w) AS (SELECT category_id, SUM(weight) FROM quiz_weights WHERE category_id IS NOT NULL AND option_id IN (")
	in()
	b.WriteString(") GROUP BY category_id), " +
		"down(category_id, w) AS (SELECT category_id, w FROM base UNION ALL SELECT c.id, down.w FROM categories c JOIN down ON c.parent_id = down.category_id), " +
		"catw(category_id, w) AS (SELECT category_id, SUM(w) FROM down GROUP BY category_id), " +
		"prodw(product_id, w) AS (SELECT product_id, SUM(weight) FROM quiz_weights WHERE product_id IS NOT NULL AND option_id IN (")
	in()
	b.WriteString(") GROUP BY product_id), " +
		"scored(id, score) AS MATERIALIZED (SELECT p.id, COALESCE(catw.w, 0) + COALESCE(prodw.w, 0) FROM products p " +
		"LEFT JOIN catw ON catw.category_id = p.category_id LEFT JOIN prodw ON prodw.product_id = p.id " +
		"WHERE p.stock > 0 AND (catw.category_id IS NOT NULL OR prodw.product_id IS NOT NULL)), " +
		"top(id, score) AS MATERIALIZED (SELECT id, score FROM scored WHERE score >= COALESCE((SELECT score FROM scored ORDER BY score DESC LIMIT 1 OFFSET ")
	b.Arg(MaxRecommendations - 1)
	b.WriteString("), -1e300)) " +
		"SELECT top.id, top.score FROM top LEFT JOIN (SELECT product_id, AVG(stars) AS avg FROM ratings WHERE product_id IN (SELECT id FROM top) GROUP BY product_id) ra ON ra.product_id = top.id " +
		"ORDER BY top.score DESC, ra.avg DESC NULLS LAST, top.id LIMIT ")
	b.Arg(MaxRecommendations)
	query, args := b.Query()
	rows, err := q.client.For(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("score quiz: %w", err)
	}
	defer rows.Close()
	var ranked []*Recommendation
	var ids []int
	for rows.Next() {
		var r Recommendation
		var id int
		if err := rows.Scan(&id, &r.Score); err != nil {
			return nil, err
		}
		ids = append(ids, id)
		r.Product = &ent.Product{ID: id}
		ranked = append(ranked, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID, err := catalog.ProductsByID(ctx, q.client.For(ctx), ids)
	if err != nil {
		return nil, err
	}
	out := ranked[:0]
	for _, r := range ranked {
		if p := byID[r.Product.ID]; p != nil { // nil: deleted since scoring
			r.Product = p
			out = append(out, r)
		}
	}
	return out, nil
}

// store writes the submission, its picks and its recommendations.
func (q *Finder) store(ctx context.Context, quizID int, snapshot []schema.SubmittedAnswer, ranked []*Recommendation) (*ent.QuizSubmission, error) {
	db := q.client.For(ctx)
	create := db.QuizSubmission.Create().SetQuizID(quizID).SetAnswers(snapshot)
	if v := auth.FromContext(ctx); v != nil {
		create.SetUserID(v.UserID)
	}
	sub, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	var picks []*ent.QuizPickCreate
	for _, a := range snapshot {
		for _, o := range a.Options {
			picks = append(picks, db.QuizPick.Create().SetSubmissionID(sub.ID).SetQuestionID(a.QuestionID).SetOptionID(o.OptionID))
		}
	}
	if len(picks) > 0 {
		if err := db.QuizPick.CreateBulk(picks...).Exec(ctx); err != nil {
			return nil, err
		}
	}
	recs := make([]*ent.QuizRecommendationCreate, len(ranked))
	for i, r := range ranked {
		recs[i] = db.QuizRecommendation.Create().SetSubmissionID(sub.ID).SetProductID(r.Product.ID).SetRank(i + 1).SetScore(r.Score)
	}
	if len(recs) > 0 {
		if err := db.QuizRecommendation.CreateBulk(recs...).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

// SubmissionRecommendations returns what a stored submission recommended, best first.
func (q *Finder) SubmissionRecommendations(ctx context.Context, sub *ent.QuizSubmission) ([]*Recommendation, error) {
	recs, err := q.client.For(ctx).QuizRecommendation.Query().
		Where(quizrecommendation.SubmissionID(sub.ID)).Order(ent.Asc(quizrecommendation.FieldRank)).All(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(recs))
	for i, r := range recs {
		ids[i] = r.ProductID
	}
	byID, err := catalog.ProductsByID(ctx, q.client.For(ctx), ids)
	if err != nil {
		return nil, err
	}
	var out []*Recommendation
	for _, r := range recs {
		if p := byID[r.ProductID]; p != nil {
			out = append(out, &Recommendation{Product: p, Score: r.Score})
		}
	}
	return out, nil
}

// UserSubmissions pages through a user's submissions, newest first. Others see none.
func (q *Finder) UserSubmissions(ctx context.Context, userID int, after *ent.Cursor, first *int, before *ent.Cursor, last *int) (*ent.QuizSubmissionConnection, error) {
	query := q.client.For(ctx).QuizSubmission.Query().Where(quizsubmission.UserID(userID))
	if v := auth.FromContext(ctx); v == nil || (v.UserID != userID && !v.IsAdmin()) {
		query = query.Where(quizsubmission.IDLT(0)) // an empty page with the connection's shape
	}
	return query.Paginate(ctx, after, first, before, last,
		ent.WithQuizSubmissionOrder(&ent.QuizSubmissionOrder{Field: ent.QuizSubmissionOrderFieldCreatedAt, Direction: "DESC"}))
}

// SubmissionVisible reports whether the caller may see a submission: its user or an admin.
func SubmissionVisible(ctx context.Context, sub *ent.QuizSubmission) bool {
	v := auth.FromContext(ctx)
	return v.IsAdmin() || (v != nil && sub.UserID != nil && *sub.UserID == v.UserID)
}
