// Package quiz is the product-finder quiz domain: admins author quizzes whose options weigh
// toward categories and products; anyone takes them and gets ranked recommendations; admins
// read what people picked.
package quiz

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/ent/product"
	entquiz "github.com/vitrinehq/vitrine/ent/quiz"
	"github.com/vitrinehq/vitrine/ent/quizquestion"
	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/auth"
	"github.com/vitrinehq/vitrine/internal/catalog"
)

// Input is a whole quiz as authored: createQuiz and updateQuiz take the same shape.
type Input struct {
	Title       string
	Slug        string
	Description *string
	Questions   []*QuestionInput
}

// QuestionInput is one question; ID keeps an existing question on update.
type QuestionInput struct {
	ID       *int
	Prompt   string
	Kind     quizquestion.Kind
	Required bool
	Options  []*OptionInput
}

// OptionInput is one option; ID keeps an existing option on update.
type OptionInput struct {
	ID      *int
	Label   string
	Weights []*WeightInput
}

// WeightInput points at exactly one of a category or a product.
type WeightInput struct {
	CategoryID *int
	ProductID  *int
	Weight     float64
}

// Finder is the product finder: it manages quizzes and ranks products by their answers.
// Methods return BAD_USER_INPUT (with the path of the offending input field), NOT_FOUND and
// FORBIDDEN *apperr.Error values.
type Finder struct {
	client  *ent.Client
	dialect string
}

// New returns a Finder over client of the given dialect (scoring SQL differs slightly).
func New(client *ent.Client, dialect string) *Finder {
	return &Finder{client: client, dialect: dialect}
}

// validate checks an input's shape and that every referenced category and product exists.
func (q *Finder) validate(ctx context.Context, in *Input) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Title)); n == 0 || n > 200 {
		return apperr.InvalidField("input.title", "title must be 1 to 200 characters")
	}
	if !catalog.ValidSlug(in.Slug) {
		return apperr.InvalidField("input.slug", "slug must be lower-case letters and digits in words joined by single hyphens")
	}
	if len(in.Questions) == 0 {
		return apperr.InvalidField("input.questions", "a quiz needs at least one question")
	}
	if len(in.Questions) > 50 {
		return apperr.InvalidField("input.questions", "a quiz may have at most 50 questions")
	}
	var cats, prods []int
	for i, qu := range in.Questions {
		path := fmt.Sprintf("input.questions[%d]", i)
		if n := utf8.RuneCountInString(strings.TrimSpace(qu.Prompt)); n == 0 || n > 500 {
			return apperr.InvalidField(path+".prompt", "prompt must be 1 to 500 characters")
		}
		if len(qu.Options) < 2 || len(qu.Options) > 50 {
			return apperr.InvalidField(path+".options", "a question needs 2 to 50 options")
		}
		for j, o := range qu.Options {
			opath := fmt.Sprintf("%s.options[%d]", path, j)
			if n := utf8.RuneCountInString(strings.TrimSpace(o.Label)); n == 0 || n > 200 {
				return apperr.InvalidField(opath+".label", "label must be 1 to 200 characters")
			}
			for k, w := range o.Weights {
				wpath := fmt.Sprintf("%s.weights[%d]", opath, k)
				if math.IsNaN(w.Weight) || math.IsInf(w.Weight, 0) || math.Abs(w.Weight) > 1e6 {
					return apperr.InvalidField(wpath+".weight", "weight must be a finite number between -1e6 and 1e6")
				}
				if (w.CategoryID == nil) == (w.ProductID == nil) {
					return apperr.InvalidField(wpath, "a weight needs exactly one of categoryID and productID")
				}
				if w.CategoryID != nil {
					cats = append(cats, *w.CategoryID)
				} else {
					prods = append(prods, *w.ProductID)
				}
			}
		}
	}
	return q.checkRefs(ctx, cats, prods)
}

func (q *Finder) checkRefs(ctx context.Context, cats, prods []int) error {
	db := q.client.For(ctx)
	if n, err := db.Category.Query().Where(category.IDIn(cats...)).Count(ctx); err != nil {
		return err
	} else if n != len(unique(cats)) {
		return apperr.InvalidField("input.questions", "a weight refers to a category that does not exist")
	}
	if n, err := db.Product.Query().Where(product.IDIn(prods...)).Count(ctx); err != nil {
		return err
	} else if n != len(unique(prods)) {
		return apperr.InvalidField("input.questions", "a weight refers to a product that does not exist")
	}
	return nil
}

func unique(ids []int) map[int]bool {
	m := make(map[int]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// Create stores a new draft quiz with its questions and options.
func (q *Finder) Create(ctx context.Context, in Input) (*ent.Quiz, error) {
	if err := q.validate(ctx, &in); err != nil {
		return nil, err
	}
	db := q.client.For(ctx)
	if taken, err := db.Quiz.Query().Where(entquiz.Slug(in.Slug)).Exist(ctx); err != nil {
		return nil, err
	} else if taken {
		return nil, apperr.InvalidField("input.slug", "another quiz already has the slug %q", in.Slug)
	}
	qz, err := db.Quiz.Create().SetTitle(strings.TrimSpace(in.Title)).SetSlug(in.Slug).
		SetDescription(deref(in.Description)).Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := q.writeQuestions(ctx, qz.ID, in.Questions, nil); err != nil {
		return nil, err
	}
	return qz, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Visible reports whether the caller may see a quiz: published ones, or any for admins.
func Visible(ctx context.Context, qz *ent.Quiz) bool {
	return qz.Published || auth.FromContext(ctx).IsAdmin()
}

// Get returns a quiz by ID if the caller may see it.
func (q *Finder) Get(ctx context.Context, id int) (*ent.Quiz, error) {
	qz, err := q.client.For(ctx).Quiz.Get(ctx, id)
	if ent.IsNotFound(err) || (err == nil && !Visible(ctx, qz)) {
		return nil, apperr.Errorf(apperr.NotFound, "no quiz has this ID")
	}
	return qz, err
}

// BySlug returns a quiz by slug if the caller may see it.
func (q *Finder) BySlug(ctx context.Context, slug string) (*ent.Quiz, error) {
	qz, err := q.client.For(ctx).Quiz.Query().Where(entquiz.Slug(slug)).Only(ctx)
	if ent.IsNotFound(err) || (err == nil && !Visible(ctx, qz)) {
		return nil, apperr.Errorf(apperr.NotFound, "no quiz has the slug %q", slug)
	}
	return qz, err
}

// List pages through quizzes the caller may see, newest first.
func (q *Finder) List(ctx context.Context, after *ent.Cursor, first *int, before *ent.Cursor, last *int) (*ent.QuizConnection, error) {
	query := q.client.For(ctx).Quiz.Query()
	if !auth.FromContext(ctx).IsAdmin() {
		query = query.Where(entquiz.Published(true))
	}
	return query.Paginate(ctx, after, first, before, last,
		ent.WithQuizOrder(&ent.QuizOrder{Field: ent.QuizOrderFieldCreatedAt, Direction: "DESC"}))
}

// SetPublished publishes or unpublishes a quiz.
func (q *Finder) SetPublished(ctx context.Context, id int, published bool) (*ent.Quiz, error) {
	qz, err := q.client.For(ctx).Quiz.UpdateOneID(id).SetPublished(published).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no quiz has this ID")
	}
	return qz, err
}

// Delete deletes a quiz with its questions and submissions.
func (q *Finder) Delete(ctx context.Context, id int) error {
	err := q.client.For(ctx).Quiz.DeleteOneID(id).Exec(ctx)
	if ent.IsNotFound(err) {
		return apperr.Errorf(apperr.NotFound, "no quiz has this ID")
	}
	return err
}

// NodeVisible reports whether the caller may fetch a quiz object by global ID: drafts and
// their questions and options only for admins, submissions only for their user and admins.
// Other objects are always visible.
func (q *Finder) NodeVisible(ctx context.Context, n any) (bool, error) {
	if auth.FromContext(ctx).IsAdmin() {
		return true, nil
	}
	switch v := n.(type) {
	case *ent.Quiz:
		return v.Published, nil
	case *ent.QuizQuestion:
		return q.client.For(ctx).Quiz.Query().Where(entquiz.ID(v.QuizID), entquiz.Published(true)).Exist(ctx)
	case *ent.QuizOption:
		return q.client.For(ctx).QuizQuestion.Query().
			Where(quizquestion.ID(v.QuestionID), quizquestion.HasQuizWith(entquiz.Published(true))).Exist(ctx)
	case *ent.QuizSubmission:
		return SubmissionVisible(ctx, v), nil
	}
	return true, nil
}
