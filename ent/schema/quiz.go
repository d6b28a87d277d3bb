package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Quiz is a product-finder quiz: ordered questions whose options carry weights toward
// categories and products.
type Quiz struct {
	ent.Schema
}

// Mixin adds timestamps.
func (Quiz) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Quiz.
func (Quiz) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().Validate(maxChars(200)).Annotations(entgql.OrderField("TITLE")),
		field.String("slug").MaxLen(200).Match(SlugPattern),
		field.Text("description").Default(""),
		field.Bool("published").Default(false),
	}
}

// Edges of the Quiz. Questions are resolved by hand (ordered by position), so they are not
// part of the generated type.
func (Quiz) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("questions", QuizQuestion.Type).
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
		edge.To("submissions", QuizSubmission.Type).
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Quiz.
func (Quiz) Indexes() []ent.Index {
	return []ent.Index{index.Fields("slug").Unique()}
}

// Annotations of the Quiz.
func (Quiz) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// QuizQuestion is one question of a quiz.
type QuizQuestion struct {
	ent.Schema
}

// Fields of the QuizQuestion.
func (QuizQuestion) Fields() []ent.Field {
	return []ent.Field{
		field.Int("quiz_id").Annotations(entgql.Skip()),
		field.Int("position").NonNegative().Annotations(entgql.Skip()),
		field.String("prompt").NotEmpty().Validate(maxChars(500)),
		field.Enum("kind").Values("SINGLE", "MULTIPLE").Default("SINGLE"),
		field.Bool("required").Default(true),
	}
}

// Edges of the QuizQuestion.
func (QuizQuestion) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("quiz", Quiz.Type).Ref("questions").Field("quiz_id").Unique().Required().
			Annotations(entgql.Skip()),
		edge.To("options", QuizOption.Type).
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the QuizQuestion.
func (QuizQuestion) Indexes() []ent.Index {
	return []ent.Index{index.Fields("quiz_id", "position")}
}

// QuizOption is one answer to a question, with weights toward categories and products.
type QuizOption struct {
	ent.Schema
}

// Fields of the QuizOption.
func (QuizOption) Fields() []ent.Field {
	return []ent.Field{
		field.Int("question_id").Annotations(entgql.Skip()),
		field.Int("position").NonNegative().Annotations(entgql.Skip()),
		field.String("label").NotEmpty().Validate(maxChars(200)),
	}
}

// Edges of the QuizOption.
func (QuizOption) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("question", QuizQuestion.Type).Ref("options").Field("question_id").Unique().Required().
			Annotations(entgql.Skip()),
		edge.To("weights", QuizWeight.Type).
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the QuizOption.
func (QuizOption) Indexes() []ent.Index {
	return []ent.Index{index.Fields("question_id", "position")}
}

// QuizWeight pulls the score of a category (and its subcategories) or of one product up or
// down when its option is chosen.
type QuizWeight struct {
	ent.Schema
}

// Fields of the QuizWeight.
func (QuizWeight) Fields() []ent.Field {
	return []ent.Field{
		field.Int("option_id"),
		field.Int("category_id").Optional().Nillable(),
		field.Int("product_id").Optional().Nillable(),
		field.Float("weight"),
	}
}

// Edges of the QuizWeight.
func (QuizWeight) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("option", QuizOption.Type).Ref("weights").Field("option_id").Unique().Required(),
	}
}

// Indexes of the QuizWeight.
func (QuizWeight) Indexes() []ent.Index {
	return []ent.Index{index.Fields("option_id")}
}

// Annotations of the QuizWeight: not a GraphQL node; exposed through QuizOption.weights.
func (QuizWeight) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// QuizSubmission records one taking of a quiz: what was chosen (a snapshot, so later edits to
// the quiz do not change its meaning) and what was recommended.
type QuizSubmission struct {
	ent.Schema
}

// Fields of the QuizSubmission.
func (QuizSubmission) Fields() []ent.Field {
	return []ent.Field{
		field.Int("quiz_id").Immutable().Annotations(entgql.Skip()),
		field.Int("user_id").Optional().Nillable().Immutable().Annotations(entgql.Skip()),
		field.Time("created_at").Default(now).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
		field.JSON("answers", []SubmittedAnswer{}).Immutable().Annotations(entgql.Skip()),
	}
}

// SubmittedAnswer is the snapshot of one answered question.
type SubmittedAnswer struct {
	QuestionID int               `json:"question_id"`
	Prompt     string            `json:"prompt"`
	Options    []SubmittedOption `json:"options"`
}

// Chosen returns the labels of the chosen options as they read at the time.
func (a SubmittedAnswer) Chosen() []string {
	out := make([]string, len(a.Options))
	for i, o := range a.Options {
		out[i] = o.Label
	}
	return out
}

// SubmittedOption is the snapshot of one chosen option with its weights at the time.
type SubmittedOption struct {
	OptionID int               `json:"option_id"`
	Label    string            `json:"label"`
	Weights  []SubmittedWeight `json:"weights"`
}

// SubmittedWeight is a weight as it was when the option was chosen.
type SubmittedWeight struct {
	CategoryID *int    `json:"category_id,omitempty"`
	ProductID  *int    `json:"product_id,omitempty"`
	Weight     float64 `json:"weight"`
}

// Edges of the QuizSubmission.
func (QuizSubmission) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("quiz", Quiz.Type).Ref("submissions").Field("quiz_id").Unique().Required().Immutable().
			Annotations(entgql.Skip()),
		edge.To("picks", QuizPick.Type).Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
		edge.To("recommendations", QuizRecommendation.Type).Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the QuizSubmission.
func (QuizSubmission) Indexes() []ent.Index {
	return []ent.Index{index.Fields("quiz_id", "created_at"), index.Fields("user_id", "created_at")}
}

// Annotations of the QuizSubmission.
func (QuizSubmission) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// QuizPick is one chosen option of a submission, kept as rows so stats are SQL aggregates.
// Option and question IDs are plain values: a later edit may delete the option, and the past
// pick must survive it.
type QuizPick struct {
	ent.Schema
}

// Fields of the QuizPick.
func (QuizPick) Fields() []ent.Field {
	return []ent.Field{
		field.Int("submission_id"),
		field.Int("question_id"),
		field.Int("option_id"),
	}
}

// Edges of the QuizPick.
func (QuizPick) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("submission", QuizSubmission.Type).Ref("picks").Field("submission_id").Unique().Required(),
	}
}

// Indexes of the QuizPick.
func (QuizPick) Indexes() []ent.Index {
	return []ent.Index{index.Fields("submission_id"), index.Fields("option_id")}
}

// Annotations of the QuizPick.
func (QuizPick) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// QuizRecommendation is one product recommended by a submission, with its rank and score.
type QuizRecommendation struct {
	ent.Schema
}

// Fields of the QuizRecommendation.
func (QuizRecommendation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("submission_id"),
		field.Int("product_id"),
		field.Int("rank"),
		field.Float("score"),
	}
}

// Edges of the QuizRecommendation.
func (QuizRecommendation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("submission", QuizSubmission.Type).Ref("recommendations").Field("submission_id").Unique().Required(),
	}
}

// Indexes of the QuizRecommendation.
func (QuizRecommendation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("submission_id", "rank")}
}

// Annotations of the QuizRecommendation.
func (QuizRecommendation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
