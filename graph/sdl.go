package graph

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// SubgraphSDL returns the schema as a federation router composes it, the answer of
// _service { sdl }: the hand-written and the generated SDL files as written, with their
// federation directives (@link, @key, @shareable) and without what the subgraph
// specification adds by itself (_entities, _service, _Any, the federation directive
// definitions). `vitrine schema -subgraph` prints it; schema/subgraph.graphql keeps it.
func SubgraphSDL() string {
	var parts []string
	for _, src := range sources {
		if !src.BuiltIn {
			parts = append(parts, src.Input)
		}
	}
	return strings.Join(parts, "\n")
}

// APISchema returns the schema clients query, printed in a stable order (types and
// directives sorted by name): every type, field and directive of the served schema but the
// federation machinery, which only a router calls and which is off by default.
// `vitrine schema` prints it; schema/vitrine.graphql keeps it for code generators.
func APISchema() string {
	s := *parsedSchema
	s.Directives = map[string]*ast.DirectiveDefinition{}
	for name, def := range parsedSchema.Directives {
		if clientDirective(def) {
			s.Directives[name] = def
		}
	}
	s.SchemaDirectives = clientDirectives(&s, s.SchemaDirectives)
	s.Types = make(map[string]*ast.Definition, len(parsedSchema.Types))
	for name, def := range parsedSchema.Types {
		d := *def
		d.Directives = clientDirectives(&s, def.Directives)
		d.Fields = make(ast.FieldList, len(def.Fields))
		for i, f := range def.Fields {
			fc := *f
			fc.Directives = clientDirectives(&s, f.Directives)
			d.Fields[i] = &fc
		}
		s.Types[name] = &d
	}
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(&s)
	return b.String()
}

// clientDirectives leaves out the uses of the directives clientDirective leaves out.
func clientDirectives(s *ast.Schema, list ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if def := s.Directives[d.Name]; def != nil {
			out = append(out, d)
		}
	}
	return out
}

// clientDirective reports whether a directive means something to clients: not one the
// federation plugin declares (for routers), nor gqlgen's code generation hints, nor @batch,
// which says which of the server's loaders serves a field.
func clientDirective(def *ast.DirectiveDefinition) bool {
	if def.Position != nil && def.Position.Src != nil && strings.Contains(def.Position.Src.Name, "federation/") {
		return false
	}
	return !strings.HasPrefix(def.Name, "go") && def.Name != "batch"
}
