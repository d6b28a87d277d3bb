package quiz

import (
	"context"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/predicate"
	"github.com/vitrinehq/vitrine/ent/quizpick"
	"github.com/vitrinehq/vitrine/ent/quizrecommendation"
	"github.com/vitrinehq/vitrine/ent/quizsubmission"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/catalog"
)

// Stats describes how a quiz was answered in a time range.
type Stats struct {
	SubmissionCount int
	Questions       []*QuestionStats
	top             []*RecommendedProductStats
}

// QuestionStats are one question's answer counts.
type QuestionStats struct {
	Question       *ent.QuizQuestion
	Answered       int
	CompletionRate float64
	Options        []*OptionStats
}

// OptionStats are one option's picks.
type OptionStats struct {
	Option *ent.QuizOption
	Picks  int
	Share  float64
}

// StatsRanks is how many of a submission's recommendations Stats counts: the first page a
// submission shows (QuizSubmission.recommendations' default), not the MaxRecommendations stored,
// so that a product merely trailing at rank 18 does not count as recommended.
const StatsRanks = 5

// RecommendedProductStats counts how many submissions ranked a product among their first
// StatsRanks recommendations.
type RecommendedProductStats struct {
	Product *ent.Product
	Count   int
}

// TopRecommendedProducts returns the first most recommended products.
func (s *Stats) TopRecommendedProducts(first *int) ([]*RecommendedProductStats, error) {
	n := 5
	if first != nil {
		n = *first
	}
	if n < 1 || n > 100 {
		return nil, apperr.InvalidField("first", "first must be between 1 and 100")
	}
	return s.top[:min(n, len(s.top))], nil
}

// Stats aggregates a quiz's submissions in [from, to) with grouped SQL queries.
func (q *Finder) Stats(ctx context.Context, quizID int, from, to *time.Time) (*Stats, error) {
	if from != nil && to != nil && !from.Before(*to) {
		return nil, apperr.InvalidField("to", "to must be after from")
	}
	if _, err := q.Get(ctx, quizID); err != nil {
		return nil, err
	}
	db := q.client.For(ctx)
	inRange := []predicate.QuizSubmission{quizsubmission.QuizID(quizID)}
	if from != nil {
		inRange = append(inRange, quizsubmission.CreatedAtGTE(from.UTC()))
	}
	if to != nil {
		inRange = append(inRange, quizsubmission.CreatedAtLT(to.UTC()))
	}
	total, err := db.QuizSubmission.Query().Where(inRange...).Count(ctx)
	if err != nil {
		return nil, err
	}
	picks := db.QuizPick.Query().Where(quizpick.HasSubmissionWith(inRange...))
	var answered, picked []keyCount
	if err := picks.Clone().Modify(func(s *sql.Selector) {
		s.Select(sql.As(s.C(quizpick.FieldQuestionID), "key"), sql.As("COUNT(DISTINCT "+s.C(quizpick.FieldSubmissionID)+")", "n")).
			GroupBy(s.C(quizpick.FieldQuestionID))
	}).Scan(ctx, &answered); err != nil {
		return nil, err
	}
	if err := picks.Clone().Modify(func(s *sql.Selector) {
		s.Select(sql.As(s.C(quizpick.FieldOptionID), "key"), sql.As(sql.Count("*"), "n")).GroupBy(s.C(quizpick.FieldOptionID))
	}).Scan(ctx, &picked); err != nil {
		return nil, err
	}
	st := &Stats{SubmissionCount: total}
	if err := q.fillQuestions(ctx, st, quizID, counts(answered), counts(picked)); err != nil {
		return nil, err
	}
	st.top, err = q.topRecommended(ctx, inRange)
	return st, err
}

// keyCount is one group of a "count per key" query.
type keyCount struct {
	Key int `json:"key"`
	N   int `json:"n"`
}

func counts(rows []keyCount) map[int]int {
	m := make(map[int]int, len(rows))
	for _, r := range rows {
		m[r.Key] = r.N
	}
	return m
}

func (q *Finder) fillQuestions(ctx context.Context, st *Stats, quizID int, answered, picked map[int]int) error {
	questions, err := q.Questions(ctx, quizID)
	if err != nil {
		return err
	}
	for _, qu := range questions {
		qs := &QuestionStats{Question: qu, Answered: answered[qu.ID]}
		if st.SubmissionCount > 0 {
			qs.CompletionRate = float64(qs.Answered) / float64(st.SubmissionCount)
		}
		opts, err := q.Options(ctx, qu.ID)
		if err != nil {
			return err
		}
		for _, o := range opts {
			os := &OptionStats{Option: o, Picks: picked[o.ID]}
			if qs.Answered > 0 {
				os.Share = float64(os.Picks) / float64(qs.Answered)
			}
			qs.Options = append(qs.Options, os)
		}
		st.Questions = append(st.Questions, qs)
	}
	return nil
}

func (q *Finder) topRecommended(ctx context.Context, inRange []predicate.QuizSubmission) ([]*RecommendedProductStats, error) {
	var rows []struct {
		ProductID int `json:"product_id"`
		N         int `json:"n"`
	}
	err := q.client.For(ctx).QuizRecommendation.Query().
		Where(quizrecommendation.RankLTE(StatsRanks), quizrecommendation.HasSubmissionWith(inRange...)).
		Modify(func(s *sql.Selector) {
			s.Select(s.C(quizrecommendation.FieldProductID), sql.As(sql.Count("*"), "n")).
				GroupBy(s.C(quizrecommendation.FieldProductID)).
				OrderExpr(sql.DescExpr(sql.Expr("COUNT(*)")), sql.Expr(s.C(quizrecommendation.FieldProductID))).
				Limit(100)
		}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.ProductID
	}
	byID, err := catalog.ProductsByID(ctx, q.client.For(ctx), ids)
	if err != nil {
		return nil, err
	}
	var out []*RecommendedProductStats
	for _, r := range rows {
		if p := byID[r.ProductID]; p != nil {
			out = append(out, &RecommendedProductStats{Product: p, Count: r.N})
		}
	}
	return out, nil
}
