package limits

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Rules returns gqlparser's default validation rules plus this package's static limits. With
// suggestions off, the rules that append "Did you mean …?" are swapped for their silent
// variants, so field, argument, type and enum names of the schema do not leak through typos.
func (l Limits) Rules(suggestions bool) *rules.Rules {
	rs := rules.NewDefaultRules()
	if !suggestions {
		for _, r := range []core.Rule{
			rules.FieldsOnCorrectTypeRuleWithoutSuggestions,
			rules.KnownArgumentNamesRuleWithoutSuggestions,
			rules.KnownTypeNamesRuleWithoutSuggestions,
			rules.ScalarLeafsRuleWithoutSuggestions,
			rules.ValuesOfCorrectTypeRuleWithoutSuggestions,
		} {
			// Keeping the original name stops gqlgen's executor from adding the suggesting variant back.
			rs.ReplaceRule(strings.TrimSuffix(r.Name, "WithoutSuggestions"), r.RuleFunc)
		}
	}
	// One rule walks the raw document once; the walker's per-field events would visit a
	// fragment once per spread.
	rs.AddRule(ruleDepth, func(observers *core.Events, addError core.AddErrFunc) {
		done := false
		observers.OnOperation(func(w *core.Walker, _ *ast.OperationDefinition) {
			if done {
				return
			}
			done = true
			l.check(w.Document, addError)
		})
	})
	return rs
}

// check reports every limit the document exceeds, each once, with the first offending position.
func (l Limits) check(doc *ast.QueryDocument, addError core.AddErrFunc) {
	fragments := make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		fragments[f.Name] = f
	}
	s := &scan{limits: l, fragments: fragments}
	for _, op := range doc.Operations {
		s.selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		s.selections(f.SelectionSet)
	}
	if l.MaxAliases > 0 && s.aliases > l.MaxAliases {
		addError(core.Message("the document uses %d aliases; at most %d are allowed", s.aliases, l.MaxAliases),
			core.At(s.aliasPos), rule(ruleAliases))
	}
	if l.MaxFields > 0 && s.fields > l.MaxFields {
		addError(core.Message("the document selects %d fields; at most %d are allowed", s.fields, l.MaxFields),
			core.At(s.fieldsPos), rule(ruleFields))
	}
	if s.nulPos != nil {
		addError(core.Message("a string argument contains a NUL character (U+0000), which text fields cannot hold"),
			core.At(s.nulPos), rule(ruleNUL))
	}
	if s.directivesPos != nil {
		addError(core.Message("a selection carries more than %d directives", l.MaxDirectives),
			core.At(s.directivesPos), rule(ruleDirectives))
	}
	for _, op := range doc.Operations {
		d := &depths{fragments: fragments, memo: map[string]int{}, sizes: map[string]int{}, onPath: map[string]bool{}, max: l.MaxDepth}
		if l.MaxDepth > 0 {
			if depth := d.of(op.SelectionSet); depth > l.MaxDepth {
				addError(core.Message("the operation is nested more than %d fields deep; "+
					"fetch deeper data in a second request starting from node(id:)", l.MaxDepth),
					core.At(op.Position), rule(ruleDepth))
			}
		}
		if n := d.expanded(op.SelectionSet); n > MaxExpandedFields {
			addError(core.Message("the operation expands to more than %d fields through its fragments", MaxExpandedFields),
				core.At(op.Position), rule(ruleExpansion))
		}
		if l.MaxRootFields > 0 {
			if n := d.rootFields(op.SelectionSet); n > l.MaxRootFields {
				addError(core.Message("the operation selects %d root fields; at most %d are allowed", n, l.MaxRootFields),
					core.At(op.Position), rule(ruleRootFields))
			}
		}
	}
}

// rule sets the rule name the error presenter maps to a code; AddErrFunc would otherwise name
// the rule this package registered, which is the same for every limit.
func rule(name string) core.ErrorOption {
	return func(err *gqlerror.Error) { err.Rule = name }
}

// scan counts aliases and directives over the document as written: a fragment counts once
// however often it is spread, since its text is parsed and validated once.
type scan struct {
	limits        Limits
	fragments     map[string]*ast.FragmentDefinition
	aliases       int
	aliasPos      *ast.Position
	fields        int
	fieldsPos     *ast.Position
	nulPos        *ast.Position
	directivesPos *ast.Position
}

func (s *scan) selections(set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			s.fields++
			if s.fields == s.limits.MaxFields+1 {
				s.fieldsPos = sel.Position
			}
			for _, a := range sel.Arguments {
				if pos := literalNUL(a.Value); pos != nil && s.nulPos == nil {
					s.nulPos = pos
				}
			}
			if sel.Alias != "" && sel.Alias != sel.Name {
				s.aliases++
				if s.aliases == s.limits.MaxAliases+1 {
					s.aliasPos = sel.Position
				}
			}
			s.directives(sel.Directives, sel.Position)
			s.selections(sel.SelectionSet)
		case *ast.InlineFragment:
			s.directives(sel.Directives, sel.Position)
			s.selections(sel.SelectionSet)
		case *ast.FragmentSpread:
			s.directives(sel.Directives, sel.Position)
		}
	}
}

func (s *scan) directives(ds ast.DirectiveList, pos *ast.Position) {
	if s.limits.MaxDirectives > 0 && len(ds) > s.limits.MaxDirectives && s.directivesPos == nil {
		s.directivesPos = pos
	}
}

// depths measures nesting with fragments expanded. Each fragment's depth is computed once
// (memo), so fragments spreading each other many times cost linear time; a fragment spread
// within itself counts as nothing here, the NoFragmentCycles rule reports it. Recursion stops
// at the limit, so a pathologically nested document cannot grow the stack past it either.
type depths struct {
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]int
	sizes     map[string]int
	onPath    map[string]bool
	max       int
	level     int
}

func (d *depths) of(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		var depth int
		switch sel := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(sel.Name, "__") {
				// Introspection is bounded by the schema and by gqlparser's own
				// MaxIntrospectionDepth rule; the standard introspection query nests deeply.
				continue
			}
			if d.max > 0 && d.level >= d.max {
				return d.max + 1
			}
			d.level++
			depth = 1 + d.of(sel.SelectionSet)
			d.level--
		case *ast.InlineFragment:
			depth = d.of(sel.SelectionSet)
		case *ast.FragmentSpread:
			depth = d.fragment(sel.Name)
		}
		deepest = max(deepest, depth)
	}
	return deepest
}

func (d *depths) fragment(name string) int {
	if depth, ok := d.memo[name]; ok {
		return depth
	}
	f := d.fragments[name]
	if f == nil || d.onPath[name] {
		return 0
	}
	// The memo holds depths relative to the fragment, but the early stop at the limit depends
	// on the absolute level: measure the fragment from level 0 and add.
	d.onPath[name] = true
	saved := d.level
	d.level = 0
	depth := d.of(f.SelectionSet)
	d.level = saved
	delete(d.onPath, name)
	d.memo[name] = depth
	return depth
}

// MaxExpandedFields bounds the fields an operation selects once its fragments are expanded.
// A few lines of fragments that each spread the next one twice expand to billions of fields,
// and gqlgen's complexity walker visits every one of them: such documents must fail validation.
const MaxExpandedFields = 100_000

// expanded counts the fields of set with fragments expanded, each fragment counted once
// (memo) and saturating at the bound.
func (d *depths) expanded(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n += 1 + d.expanded(sel.SelectionSet)
		case *ast.InlineFragment:
			n += d.expanded(sel.SelectionSet)
		case *ast.FragmentSpread:
			if c, ok := d.sizes[sel.Name]; ok {
				n += c
			} else if f := d.fragments[sel.Name]; f != nil && !d.onPath[sel.Name] {
				d.onPath[sel.Name] = true
				c = d.expanded(f.SelectionSet)
				delete(d.onPath, sel.Name)
				d.sizes[sel.Name] = c
				n += c
			}
		}
		if n > MaxExpandedFields {
			return MaxExpandedFields + 1
		}
	}
	return n
}

// rootFields counts the fields at the operation's root, fragments expanded.
func (d *depths) rootFields(set ast.SelectionSet) int {
	n := 0
	seen := map[string]bool{}
	var count func(ast.SelectionSet)
	count = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				n++
			case *ast.InlineFragment:
				count(sel.SelectionSet)
			case *ast.FragmentSpread:
				// Spreading the same fragment twice at the root selects the same fields.
				if f := d.fragments[sel.Name]; f != nil && !seen[sel.Name] {
					seen[sel.Name] = true
					count(f.SelectionSet)
				}
			}
		}
	}
	count(set)
	return n
}
