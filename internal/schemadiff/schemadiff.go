// Package schemadiff lists the changes between two versions of a GraphQL schema that matter to
// the clients already written against the old one: breaking changes (a valid operation stops
// validating, or gets a value it cannot handle) and dangerous ones (operations still
// validate, but behaviour a client may rely on changes). It follows the classification of
// graphql-js's findBreakingChanges, on gqlparser's AST; no maintained Go module does this.
package schemadiff

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Severity says how a change affects existing clients.
type Severity string

// Severities.
const (
	Breaking  Severity = "BREAKING"
	Dangerous Severity = "DANGEROUS"
)

// Change is one difference between the schemas.
type Change struct {
	Severity Severity
	// Path names the schema coordinate, e.g. "Product.price" or "Query.search(query:)".
	Path    string
	Message string
}

// CompareSDL parses two schema documents (each with the definitions of the directives it
// uses) and compares them.
func CompareSDL(oldName, oldSDL, newName, newSDL string) ([]Change, error) {
	old, err := gqlparser.LoadSchema(&ast.Source{Name: oldName, Input: oldSDL})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", oldName, err)
	}
	cur, err := gqlparser.LoadSchema(&ast.Source{Name: newName, Input: newSDL})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", newName, err)
	}
	return Compare(old, cur), nil
}

// Compare returns the breaking and dangerous changes from old to cur, sorted by path.
func Compare(old, cur *ast.Schema) []Change {
	d := &differ{}
	for _, name := range sortedKeys(old.Types) {
		o := old.Types[name]
		if o.BuiltIn {
			continue
		}
		n := cur.Types[name]
		switch {
		case n == nil:
			d.add(Breaking, name, "type %s was removed", name)
		case n.Kind != o.Kind:
			d.add(Breaking, name, "%s changed from %s to %s", name, kind(o), kind(n))
		default:
			d.definition(o, n)
		}
	}
	for _, name := range sortedKeys(old.Directives) {
		o := old.Directives[name]
		if o.Position != nil && o.Position.Src != nil && o.Position.Src.BuiltIn {
			continue
		}
		n := cur.Directives[name]
		if n == nil {
			d.add(Breaking, "@"+name, "directive @%s was removed", name)
			continue
		}
		d.directive(o, n)
	}
	sort.SliceStable(d.changes, func(i, j int) bool {
		if d.changes[i].Severity != d.changes[j].Severity {
			return d.changes[i].Severity == Breaking
		}
		return d.changes[i].Path < d.changes[j].Path
	})
	return d.changes
}

// Breaks reports whether any change is breaking.
func Breaks(changes []Change) bool {
	for _, c := range changes {
		if c.Severity == Breaking {
			return true
		}
	}
	return false
}

// Write prints the changes one per line, breaking ones first, and a summary line.
func Write(w io.Writer, changes []Change) error {
	var breaking, dangerous int
	for _, c := range changes {
		if c.Severity == Breaking {
			breaking++
		} else {
			dangerous++
		}
		if _, err := fmt.Fprintf(w, "%-9s %s: %s\n", c.Severity, c.Path, c.Message); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d breaking, %d dangerous\n", breaking, dangerous)
	return err
}

type differ struct{ changes []Change }

func (d *differ) add(s Severity, path, format string, args ...any) {
	d.changes = append(d.changes, Change{Severity: s, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (d *differ) definition(o, n *ast.Definition) {
	switch o.Kind {
	case ast.Object, ast.Interface:
		for _, f := range o.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			path := o.Name + "." + f.Name
			nf := n.Fields.ForName(f.Name)
			if nf == nil {
				d.add(Breaking, path, "field %s was removed", path)
				continue
			}
			if !safeOutput(f.Type, nf.Type) {
				d.add(Breaking, path, "type changed from %s to %s", f.Type, nf.Type)
			}
			d.arguments(path, f.Arguments, nf.Arguments)
		}
		for _, i := range o.Interfaces {
			if !contains(n.Interfaces, i) {
				d.add(Breaking, o.Name, "%s no longer implements %s", o.Name, i)
			}
		}
		for _, i := range n.Interfaces {
			if !contains(o.Interfaces, i) {
				d.add(Dangerous, o.Name, "%s now implements %s: fragments on %s may now match it", o.Name, i, i)
			}
		}
	case ast.InputObject:
		for _, f := range o.Fields {
			path := o.Name + "." + f.Name
			nf := n.Fields.ForName(f.Name)
			if nf == nil {
				d.add(Breaking, path, "input field %s was removed", path)
				continue
			}
			if !safeInput(f.Type, nf.Type) {
				d.add(Breaking, path, "type changed from %s to %s", f.Type, nf.Type)
			}
			d.defaultValue(path, f.DefaultValue, nf.DefaultValue)
		}
		for _, f := range n.Fields {
			if o.Fields.ForName(f.Name) != nil {
				continue
			}
			path := o.Name + "." + f.Name
			if required(f.Type, f.DefaultValue) {
				d.add(Breaking, path, "required input field %s was added", path)
			} else {
				d.add(Dangerous, path, "optional input field %s was added", path)
			}
		}
	case ast.Enum:
		for _, v := range o.EnumValues {
			if n.EnumValues.ForName(v.Name) == nil {
				d.add(Breaking, o.Name+"."+v.Name, "enum value %s was removed from %s", v.Name, o.Name)
			}
		}
		for _, v := range n.EnumValues {
			if o.EnumValues.ForName(v.Name) == nil {
				d.add(Dangerous, o.Name+"."+v.Name, "enum value %s was added to %s: clients may not handle it", v.Name, o.Name)
			}
		}
	case ast.Union:
		for _, t := range o.Types {
			if !contains(n.Types, t) {
				d.add(Breaking, o.Name, "%s was removed from union %s", t, o.Name)
			}
		}
		for _, t := range n.Types {
			if !contains(o.Types, t) {
				d.add(Dangerous, o.Name, "%s was added to union %s: clients may not handle it", t, o.Name)
			}
		}
	}
}

func (d *differ) arguments(path string, o, n ast.ArgumentDefinitionList) {
	for _, a := range o {
		apath := path + "(" + a.Name + ":)"
		na := n.ForName(a.Name)
		if na == nil {
			d.add(Breaking, apath, "argument %s was removed", a.Name)
			continue
		}
		if !safeInput(a.Type, na.Type) {
			d.add(Breaking, apath, "type changed from %s to %s", a.Type, na.Type)
		}
		d.defaultValue(apath, a.DefaultValue, na.DefaultValue)
	}
	for _, a := range n {
		if o.ForName(a.Name) != nil {
			continue
		}
		apath := path + "(" + a.Name + ":)"
		if required(a.Type, a.DefaultValue) {
			d.add(Breaking, apath, "required argument %s was added", a.Name)
		} else {
			d.add(Dangerous, apath, "optional argument %s was added", a.Name)
		}
	}
}

func (d *differ) defaultValue(path string, o, n *ast.Value) {
	if o == nil {
		return
	}
	if n == nil {
		d.add(Dangerous, path, "default value %s was removed", o)
		return
	}
	if o.String() != n.String() {
		d.add(Dangerous, path, "default value changed from %s to %s", o, n)
	}
}

func (d *differ) directive(o, n *ast.DirectiveDefinition) {
	path := "@" + o.Name
	d.arguments(path, o.Arguments, n.Arguments)
	for _, loc := range o.Locations {
		found := false
		for _, l := range n.Locations {
			found = found || l == loc
		}
		if !found {
			d.add(Breaking, path, "location %s was removed from @%s", loc, o.Name)
		}
	}
	if o.IsRepeatable && !n.IsRepeatable {
		d.add(Breaking, path, "@%s is no longer repeatable", o.Name)
	}
}

// safeOutput reports whether a field of type o may become n without breaking a client:
// only by becoming non-null (clients of a nullable field handle values too).
func safeOutput(o, n *ast.Type) bool {
	if o.NonNull && !n.NonNull {
		return false
	}
	if (o.Elem == nil) != (n.Elem == nil) {
		return false
	}
	if o.Elem != nil {
		return safeOutput(o.Elem, n.Elem)
	}
	return o.NamedType == n.NamedType
}

// safeInput reports whether an argument or input field of type o may become n without
// breaking a client: only by becoming nullable (what was sent is still accepted).
func safeInput(o, n *ast.Type) bool {
	if !o.NonNull && n.NonNull {
		return false
	}
	if (o.Elem == nil) != (n.Elem == nil) {
		return false
	}
	if o.Elem != nil {
		return safeInput(o.Elem, n.Elem)
	}
	return o.NamedType == n.NamedType
}

func required(t *ast.Type, def *ast.Value) bool { return t.NonNull && def == nil }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kind(def *ast.Definition) string {
	return strings.ToLower(strings.ReplaceAll(string(def.Kind), "_", " "))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
