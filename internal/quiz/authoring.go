package quiz

import (
	"context"
	"fmt"
	"strings"

	"github.com/vitrinehq/vitrine/ent"
	entquiz "github.com/vitrinehq/vitrine/ent/quiz"
	"github.com/vitrinehq/vitrine/ent/quizoption"
	"github.com/vitrinehq/vitrine/ent/quizquestion"
	"github.com/vitrinehq/vitrine/ent/quizweight"
	"github.com/vitrinehq/vitrine/internal/apperr"
)

// Update replaces a quiz's fields, questions and options in the request's transaction.
// Questions and options passed with an id keep it (they must belong to this quiz); the others
// are created; existing ones left out are deleted. Past submissions keep their own snapshot.
func (q *Finder) Update(ctx context.Context, id int, in Input) (*ent.Quiz, error) {
	if err := q.validate(ctx, &in); err != nil {
		return nil, err
	}
	db := q.client.For(ctx)
	if taken, err := db.Quiz.Query().Where(entquiz.Slug(in.Slug), entquiz.IDNEQ(id)).Exist(ctx); err != nil {
		return nil, err
	} else if taken {
		return nil, apperr.InvalidField("input.slug", "another quiz already has the slug %q", in.Slug)
	}
	qz, err := db.Quiz.UpdateOneID(id).SetTitle(strings.TrimSpace(in.Title)).SetSlug(in.Slug).
		SetDescription(deref(in.Description)).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no quiz has this ID")
	}
	if err != nil {
		return nil, err
	}
	existing, err := db.QuizQuestion.Query().Where(quizquestion.QuizID(id)).WithOptions().All(ctx)
	if err != nil {
		return nil, err
	}
	if err := q.writeQuestions(ctx, id, in.Questions, existing); err != nil {
		return nil, err
	}
	return qz, nil
}

// writeQuestions creates, updates and deletes questions so the quiz matches qs, in order.
func (q *Finder) writeQuestions(ctx context.Context, quizID int, qs []*QuestionInput, existing []*ent.QuizQuestion) error {
	db := q.client.For(ctx)
	byID := make(map[int]*ent.QuizQuestion, len(existing))
	for _, e := range existing {
		byID[e.ID] = e
	}
	kept := map[int]bool{}
	for i, in := range qs {
		path := fmt.Sprintf("input.questions[%d]", i)
		var (
			question *ent.QuizQuestion
			err      error
		)
		if in.ID != nil {
			old, ok := byID[*in.ID]
			if !ok || kept[*in.ID] {
				return apperr.InvalidField(path+".id", "this question does not belong to the quiz (or is listed twice)")
			}
			kept[*in.ID] = true
			question, err = old.Update().SetPosition(i).SetPrompt(strings.TrimSpace(in.Prompt)).
				SetKind(in.Kind).SetRequired(in.Required).Save(ctx)
			if err == nil {
				err = q.writeOptions(ctx, question.ID, path, in.Options, old.Edges.Options)
			}
		} else {
			question, err = db.QuizQuestion.Create().SetQuizID(quizID).SetPosition(i).
				SetPrompt(strings.TrimSpace(in.Prompt)).SetKind(in.Kind).SetRequired(in.Required).Save(ctx)
			if err == nil {
				err = q.writeOptions(ctx, question.ID, path, in.Options, nil)
			}
		}
		if err != nil {
			return err
		}
	}
	var drop []int
	for _, e := range existing {
		if !kept[e.ID] {
			drop = append(drop, e.ID)
		}
	}
	if len(drop) > 0 {
		_, err := db.QuizQuestion.Delete().Where(quizquestion.IDIn(drop...)).Exec(ctx)
		return err
	}
	return nil
}

func (q *Finder) writeOptions(ctx context.Context, questionID int, path string, os []*OptionInput, existing []*ent.QuizOption) error {
	db := q.client.For(ctx)
	byID := make(map[int]*ent.QuizOption, len(existing))
	for _, e := range existing {
		byID[e.ID] = e
	}
	kept := map[int]bool{}
	for j, in := range os {
		opath := fmt.Sprintf("%s.options[%d]", path, j)
		var (
			opt *ent.QuizOption
			err error
		)
		if in.ID != nil {
			old, ok := byID[*in.ID]
			if !ok || kept[*in.ID] {
				return apperr.InvalidField(opath+".id", "this option does not belong to the question (or is listed twice)")
			}
			kept[*in.ID] = true
			opt, err = old.Update().SetPosition(j).SetLabel(strings.TrimSpace(in.Label)).Save(ctx)
			if err == nil {
				_, err = db.QuizWeight.Delete().Where(quizweight.OptionID(opt.ID)).Exec(ctx)
			}
		} else {
			opt, err = db.QuizOption.Create().SetQuestionID(questionID).SetPosition(j).SetLabel(strings.TrimSpace(in.Label)).Save(ctx)
		}
		if err != nil {
			return err
		}
		if len(in.Weights) > 0 {
			ws := make([]*ent.QuizWeightCreate, len(in.Weights))
			for k, w := range in.Weights {
				ws[k] = db.QuizWeight.Create().SetOptionID(opt.ID).SetNillableCategoryID(w.CategoryID).
					SetNillableProductID(w.ProductID).SetWeight(w.Weight)
			}
			if err := db.QuizWeight.CreateBulk(ws...).Exec(ctx); err != nil {
				return err
			}
		}
	}
	var drop []int
	for _, e := range existing {
		if !kept[e.ID] {
			drop = append(drop, e.ID)
		}
	}
	if len(drop) > 0 {
		_, err := db.QuizOption.Delete().Where(quizoption.IDIn(drop...)).Exec(ctx)
		return err
	}
	return nil
}

// Questions returns a quiz's questions in order.
func (q *Finder) Questions(ctx context.Context, quizID int) ([]*ent.QuizQuestion, error) {
	return q.client.For(ctx).QuizQuestion.Query().Where(quizquestion.QuizID(quizID)).
		Order(ent.Asc(quizquestion.FieldPosition)).All(ctx)
}

// Options returns a question's options in order.
func (q *Finder) Options(ctx context.Context, questionID int) ([]*ent.QuizOption, error) {
	return q.client.For(ctx).QuizOption.Query().Where(quizoption.QuestionID(questionID)).
		Order(ent.Asc(quizoption.FieldPosition)).All(ctx)
}

// Weights returns an option's weights.
func (q *Finder) Weights(ctx context.Context, optionID int) ([]*ent.QuizWeight, error) {
	return q.client.For(ctx).QuizWeight.Query().Where(quizweight.OptionID(optionID)).Order(ent.Asc(quizweight.FieldID)).All(ctx)
}
