package seed

import (
	"context"
	"fmt"
	"slices"

	"github.com/vitrinehq/vitrine/ent"
	"github.com/vitrinehq/vitrine/ent/category"
	"github.com/vitrinehq/vitrine/ent/quizquestion"
	"github.com/vitrinehq/vitrine/internal/quiz"
)

// demoQuiz is a quiz over the demo category tree, weights given by category slug.
type demoQuiz struct {
	title, slug, description string
	published                bool
	questions                []demoQuestion
}

type demoQuestion struct {
	prompt   string
	multiple bool
	required bool
	options  []demoOption
}

type demoOption struct {
	label   string
	weights map[string]float64
}

var demoQuizzes = []demoQuiz{
	{"Find your outdoor gear", "outdoor-gear-finder", "Three questions to what you should pack.", true, []demoQuestion{
		{"What are you planning?", false, true, []demoOption{
			{"A camping trip", map[string]float64{"camping": 3}},
			{"A day hike", map[string]float64{"hiking": 3, "hiking-boots": 2}},
			{"Time on the water", map[string]float64{"water-sports": 3}},
		}},
		{"How often do you go?", false, false, []demoOption{
			{"Now and then", nil},
			{"Every weekend", map[string]float64{"outdoor": 1}},
		}},
		{"What conditions should you be ready for?", true, false, []demoOption{
			{"Rain", map[string]float64{"rain-jackets": 2, "dry-bags": 1}},
			{"Cold nights", map[string]float64{"down-jackets": 2, "sleeping-bags": 1}},
			{"Darkness", map[string]float64{"headlamps": 2}},
		}},
	}},
	{"Home barista", "home-barista", "Better coffee at home, matched to how you brew.", true, []demoQuestion{
		{"How do you brew?", false, true, []demoOption{
			{"Espresso", map[string]float64{"espresso-machines": 3, "coffee-grinders": 1}},
			{"Kettle and pour-over", map[string]float64{"kettles": 3}},
			{"I want good kitchen tools", map[string]float64{"knives-tools": 1, "coffee-tea": 1}},
		}},
		{"How experienced are you?", false, true, []demoOption{
			{"Just starting", map[string]float64{"coffee-tea": 1}},
			{"Enthusiast", map[string]float64{"coffee-grinders": 2}},
		}},
	}},
	{"Fitness starter (draft)", "fitness-starter", "Work in progress.", false, []demoQuestion{
		{"Where do you train?", false, true, []demoOption{
			{"At home", map[string]float64{"fitness": 3}},
			{"Outdoors", map[string]float64{"running": 3}},
		}},
	}},
}

// DemoQuizzes creates the demo quizzes (two published, one draft) over the demo catalog.
func DemoQuizzes(ctx context.Context, client *ent.Client, dialect string) error {
	cats, err := client.Category.Query().Select(category.FieldID, category.FieldSlug).All(ctx)
	if err != nil {
		return fmt.Errorf("seed quizzes: %w", err)
	}
	bySlug := make(map[string]int, len(cats))
	for _, c := range cats {
		bySlug[c.Slug] = c.ID
	}
	quizzes := quiz.New(client, dialect)
	for _, d := range demoQuizzes {
		in, err := d.input(bySlug)
		if err != nil {
			return err
		}
		qz, err := quizzes.Create(ctx, in)
		if err != nil {
			return fmt.Errorf("seed quiz %s: %w", d.slug, err)
		}
		if d.published {
			if _, err := quizzes.SetPublished(ctx, qz.ID, true); err != nil {
				return fmt.Errorf("seed quiz %s: %w", d.slug, err)
			}
		}
	}
	return nil
}

func (d demoQuiz) input(bySlug map[string]int) (quiz.Input, error) {
	in := quiz.Input{Title: d.title, Slug: d.slug, Description: &d.description}
	for _, q := range d.questions {
		qi := &quiz.QuestionInput{Prompt: q.prompt, Kind: quizquestion.KindSINGLE, Required: q.required}
		if q.multiple {
			qi.Kind = quizquestion.KindMULTIPLE
		}
		for _, o := range q.options {
			oi := &quiz.OptionInput{Label: o.label}
			for _, slug := range sortedKeys(o.weights) {
				id, ok := bySlug[slug]
				if !ok {
					return in, fmt.Errorf("seed quiz %s: no category %q", d.slug, slug)
				}
				oi.Weights = append(oi.Weights, &quiz.WeightInput{CategoryID: &id, Weight: o.weights[slug]})
			}
			qi.Options = append(qi.Options, oi)
		}
		in.Questions = append(in.Questions, qi)
	}
	return in, nil
}

// sortedKeys keeps weight order deterministic (map iteration is not).
func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
