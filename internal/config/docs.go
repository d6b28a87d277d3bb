package config

import (
	"flag"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// envSuffix is how every flag's usage ends: the environment variable it overrides.
var envSuffix = regexp.MustCompile(`\s*\(([A-Z][A-Z0-9_]*)\)$`)

// Markdown returns the README's configuration table, one row per setting, generated from the
// flag definitions (serve defines them all) so the documentation cannot drift from the
// binary. A usage text reads "meaning; default …" when the default depends on the
// environment; otherwise the flag's own default is shown. It fails when a flag does not name
// its environment variable.
func Markdown() (string, error) {
	fs := flag.NewFlagSet("docs", flag.ContinueOnError)
	Define(fs, func(string) string { return "" }, ScopeServe)
	type row struct{ env, flag, def, meaning string }
	var rows []row
	var missing []string
	fs.VisitAll(func(f *flag.Flag) {
		_, usage := flag.UnquoteUsage(f)
		m := envSuffix.FindStringSubmatch(usage)
		if m == nil {
			missing = append(missing, "-"+f.Name)
			return
		}
		meaning := strings.TrimSuffix(usage, m[0])
		def := "(empty)"
		if f.DefValue != "" {
			def = "`" + shortDuration(f.DefValue) + "`"
		}
		if before, after, ok := strings.Cut(meaning, "; default "); ok {
			meaning, def = before, after
		}
		rows = append(rows, row{env: m[1], flag: f.Name, def: def, meaning: meaning})
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("flags without their environment variable at the end of the usage, as in \"(VITRINE_X)\": %s", strings.Join(missing, ", "))
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].env < rows[j].env })
	var b strings.Builder
	b.WriteString("| variable | flag | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `%s` | `-%s` | %s | %s |\n", r.env, r.flag, cell(r.def), cell(r.meaning))
	}
	return b.String(), nil
}

// shortDuration writes 30m0s as 30m and 1h0m0s as 1h, as people do.
func shortDuration(v string) string {
	if strings.HasSuffix(v, "m0s") && v != "0s" {
		v = strings.TrimSuffix(v, "0s")
	}
	if strings.HasSuffix(v, "h0m") {
		v = strings.TrimSuffix(v, "0m")
	}
	return v
}

// cell keeps a table cell on one line and its pipes out of the table's structure.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
}
