package persisted

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/go-viper/mapstructure/v2"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"github.com/vitrinehq/vitrine/internal/apperr"
)

// CodeNotAllowed is the extensions.code of a document that is not in the trusted set.
const CodeNotAllowed = string(apperr.PersistedQueryNotAllowed)

// Document is one trusted .graphql file: its exact text, registered under its sha256.
type Document struct {
	// ID is the lowercase hex sha256 of Body, what clients send as the APQ sha256Hash.
	ID string `json:"id"`
	// File is the path relative to the loaded directory.
	File       string      `json:"file"`
	Operations []Operation `json:"operations"`
	Body       string      `json:"body"`
}

// Operation names one operation of a document.
type Operation struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Trusted is the set of documents a production server accepts. As a gqlgen extension it admits
// a request only when it names a trusted document by hash (the APQ extension) or sends the
// exact text of one; anything else fails with PERSISTED_QUERY_NOT_ALLOWED before parsing.
type Trusted struct {
	byID map[string]Document
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*Trusted)(nil)

// Load reads path, a .graphql file or a directory searched recursively for them, and
// validates every document against schema with rules (the server's, limits included; nil
// means gqlparser's defaults), so a stale or oversized document fails at start rather than on
// every client request.
func Load(path string, schema *ast.Schema, rules *rules.Rules) (*Trusted, error) {
	docs, err := Read(path, schema, rules)
	if err != nil {
		return nil, err
	}
	t := &Trusted{byID: make(map[string]Document, len(docs))}
	for _, d := range docs {
		t.byID[d.ID] = d
	}
	return t, nil
}

// Read returns the documents under path, sorted by file name, each validated against schema
// with rules (see Load).
func Read(path string, schema *ast.Schema, rules *rules.Rules) ([]Document, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	root, files := filepath.Dir(path), []string{path}
	if info.IsDir() {
		root, files = path, nil
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(d.Name(), ".graphql") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("trusted documents: %w", err)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("trusted documents: no .graphql file in %s", path)
	}
	sort.Strings(files)
	docs := make([]Document, 0, len(files))
	for _, f := range files {
		d, err := readDocument(root, f, schema, rules)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func readDocument(root, file string, schema *ast.Schema, rules *rules.Rules) (Document, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return Document{}, fmt.Errorf("trusted documents: %w", err)
	}
	rel, err := filepath.Rel(root, file)
	if err != nil {
		rel = file
	}
	body := string(raw)
	parsed, errs := gqlparser.LoadQueryWithRules(schema, body, rules)
	if len(errs) > 0 {
		return Document{}, fmt.Errorf("trusted documents: %s: %w", rel, errs)
	}
	if len(parsed.Operations) == 0 {
		return Document{}, fmt.Errorf("trusted documents: %s has no operation", rel)
	}
	d := Document{ID: Hash(body), File: filepath.ToSlash(rel), Body: body}
	for _, op := range parsed.Operations {
		d.Operations = append(d.Operations, Operation{Name: op.Name, Type: string(op.Operation)})
	}
	return d, nil
}

// Len returns how many documents are trusted.
func (t *Trusted) Len() int { return len(t.byID) }

// Has tells whether document, exactly as written, is trusted.
func (t *Trusted) Has(document string) bool {
	_, ok := t.byID[Hash(document)]
	return ok
}

// ExtensionName implements graphql.HandlerExtension.
func (t *Trusted) ExtensionName() string { return "TrustedDocuments" }

// Validate implements graphql.HandlerExtension.
func (t *Trusted) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator: it replaces a hash
// by its trusted text, and refuses any text that is not trusted.
func (t *Trusted) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	id, err := requestedID(raw)
	if err != nil {
		return err
	}
	if id == "" {
		if raw.Query == "" {
			return nil // gqlgen answers "no operation provided"
		}
		if _, ok := t.byID[Hash(raw.Query)]; !ok {
			return notAllowed("this server only runs its trusted documents: send the sha256Hash of a registered document in extensions.persistedQuery (or its exact text)")
		}
		return nil
	}
	doc, ok := t.byID[strings.TrimPrefix(id, "sha256:")]
	if !ok {
		return notAllowed("no trusted document has the hash %s: register the document with the server's operators", id)
	}
	if raw.Query != "" && raw.Query != doc.Body {
		return notAllowed("the document text does not match the trusted document of hash %s", id)
	}
	raw.Query = doc.Body
	return nil
}

// requestedID reads the APQ extension {"persistedQuery": {"version": 1, "sha256Hash": …}}.
func requestedID(raw *graphql.RawParams) (string, *gqlerror.Error) {
	ext := raw.Extensions["persistedQuery"]
	if ext == nil {
		return "", nil
	}
	var pq struct {
		Sha256  string `mapstructure:"sha256Hash"`
		Version int64  `mapstructure:"version"`
	}
	if err := mapstructure.Decode(ext, &pq); err != nil || pq.Version != 1 || pq.Sha256 == "" {
		err := gqlerror.Errorf(`extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex sha256 of the document>"}`)
		errcode.Set(err, string(apperr.BadRequest))
		return "", err
	}
	return pq.Sha256, nil
}

func notAllowed(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, CodeNotAllowed)
	return err
}
