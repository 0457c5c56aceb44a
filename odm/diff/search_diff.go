package diff

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/extjson"
	"github.com/tagodm/tagodm/odm/internal/searchlist"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// SearchIndexChange is the action one search index calls for.
type SearchIndexChange struct {
	// Name is the declared name, or the listed name of a Drop.
	Name string `json:"name"`
	// Type is the declared type, or the listed type of a Drop.
	Type   schema.SearchIndexType `json:"type"`
	Action Action                 `json:"action"`
	// Step is what applying the plan does about the change, under its
	// policies; set by Init and Plan.
	Step Step `json:"step,omitempty"`
	// Declared is the declared definition as extended JSON; empty for a Drop.
	Declared string `json:"declared,omitempty"`
	// Listed is the listed latestDefinition as extended JSON; empty for a
	// Create.
	Listed string `json:"listed,omitempty"`
	// Differences are, for ModifyInPlace and Conflict, each definition
	// field that differs, as a dotted path.
	Differences []Difference `json:"differences,omitempty"`
	// Status, Queryable and Message are what the listing says of the
	// index: PENDING, BUILDING, READY, FAILED, STALE, DELETING or
	// DOES_NOT_EXIST, whether queries can use it, and the server's message.
	Status    string `json:"status,omitempty"`
	Queryable bool   `json:"queryable,omitempty"`
	Message   string `json:"message,omitempty"`

	// DeclaredSpec is the declared spec, nil for a Drop; Spec is how
	// callers read it.
	DeclaredSpec *schema.SearchIndexSpec `json:"-"`
}

// Spec returns the declared spec; false for a Drop.
func (c SearchIndexChange) Spec() (schema.SearchIndexSpec, bool) {
	if c.DeclaredSpec == nil {
		return schema.SearchIndexSpec{}, false
	}
	return *c.DeclaredSpec, true
}

// Summary lists the differences on one line, for reports and errors.
func (c SearchIndexChange) Summary() string {
	parts := make([]string, len(c.Differences))
	for i, d := range c.Differences {
		parts[i] = d.String()
	}
	return strings.Join(parts, "; ")
}

// DiffSearch compares one collection's declared search indexes with the
// documents $listSearchIndexes returned for it and says, for each, what it
// calls for: declared indexes in declaration order, then listed indexes
// nobody declared (Drop). It does no I/O. Each declaration is compared
// with the listed latestDefinition after both are normalised: documents
// compared by keys whatever their order, numbers by value whatever their
// BSON type, server defaults filled in on both sides (dynamic false,
// lucene.standard analyzers, quantization none, empty fields absent), and
// a vector index's fields compared by type and path whatever their order.
// A changed definition is a ModifyInPlace (updateSearchIndex); another
// type under the declared name is a Conflict.
func DiffSearch(declared []schema.SearchIndexSpec, listed []bson.Raw) ([]SearchIndexChange, error) {
	byName := map[string]searchlist.Index{}
	var order []string
	for _, raw := range listed {
		l, err := searchlist.Parse(raw)
		if err != nil {
			return nil, err
		}
		if _, dup := byName[l.Name]; !dup {
			order = append(order, l.Name)
		}
		byName[l.Name] = l
	}
	out := make([]SearchIndexChange, 0, len(declared)+len(listed))
	seen := map[string]bool{}
	for i := range declared {
		s := declared[i]
		name := s.IndexName()
		seen[name] = true
		c := SearchIndexChange{Name: name, Type: s.IndexType(), Declared: extjson.Format(s.DefinitionDocument()), DeclaredSpec: &declared[i]}
		l, ok := byName[name]
		if !ok {
			c.Action = Create
			out = append(out, c)
			continue
		}
		c.Status, c.Queryable, c.Message = l.Status, l.Queryable, l.Message
		c.Listed = searchJSON(l.Definition)
		c.Differences = compareSearchDefinitions(s.IndexType(), s.DefinitionDocument(), l.Definition)
		switch {
		case l.Type != s.IndexType():
			c.Action = Conflict
			c.Differences = append([]Difference{{Field: "type", Declared: string(s.IndexType()), Listed: string(l.Type)}}, c.Differences...)
		case len(c.Differences) > 0:
			c.Action = ModifyInPlace
		default:
			c.Action = Unchanged
		}
		out = append(out, c)
	}
	for _, name := range order {
		if seen[name] {
			continue
		}
		l := byName[name]
		out = append(out, SearchIndexChange{Name: name, Type: l.Type, Action: Drop, Listed: searchJSON(l.Definition),
			Status: l.Status, Queryable: l.Queryable, Message: l.Message})
	}
	return out, nil
}

func searchJSON(raw bson.Raw) string {
	if raw == nil {
		return ""
	}
	out, err := bson.MarshalExtJSON(raw, false, false)
	if err != nil {
		return raw.String()
	}
	return string(out)
}

// compareSearchDefinitions lists the fields in which a listed definition
// differs from the declared one, after normalising both.
func compareSearchDefinitions(typ schema.SearchIndexType, declared bson.D, listed bson.Raw) []Difference {
	raw, err := bson.Marshal(declared)
	if err != nil {
		return []Difference{{Field: "definition", Declared: fmt.Sprint(declared), Listed: searchJSON(listed)}}
	}
	d := normalizeSearch(typ, plain(bson.Raw(raw)))
	l := normalizeSearch(typ, plain(listed))
	var diffs []Difference
	compareTrees("", d, l, &diffs)
	return diffs
}

// plain turns BSON into maps, slices, float64 numbers, strings and bools;
// other values keep their extended JSON form.
func plain(raw bson.Raw) map[string]any {
	out := map[string]any{}
	elems, _ := raw.Elements()
	for _, e := range elems {
		out[e.Key()] = plainValue(e.Value())
	}
	return out
}

func plainValue(v bson.RawValue) any {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		return plain(v.Document())
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		out := make([]any, len(vals))
		for i, x := range vals {
			out[i] = plainValue(x)
		}
		return out
	case bson.TypeString:
		return v.StringValue()
	case bson.TypeBoolean:
		return v.Boolean()
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
		return v.AsFloat64()
	case bson.TypeDecimal128:
		if f, err := strconv.ParseFloat(v.Decimal128().String(), 64); err == nil {
			return f
		}
	}
	return v.String()
}

// normalizeSearch fills in the defaults MongoDB Search documents, so that
// an option left out equals the same option written with its default.
func normalizeSearch(typ schema.SearchIndexType, def map[string]any) map[string]any {
	if typ == schema.VectorSearch {
		if fields, ok := def["fields"].([]any); ok {
			for _, f := range fields {
				if m, ok := f.(map[string]any); ok && m["type"] == "vector" {
					setIfAbsent(m, "quantization", "none")
				}
			}
			sort.SliceStable(fields, func(i, j int) bool { return vectorKey(fields[i]) < vectorKey(fields[j]) })
		}
		return def
	}
	setIfAbsent(def, "analyzer", "lucene.standard")
	setIfAbsent(def, "searchAnalyzer", def["analyzer"])
	dropIfEqual(def, "storedSource", false)
	dropIfEmpty(def, "analyzers")
	dropIfEmpty(def, "synonyms")
	if m, ok := def["mappings"].(map[string]any); ok {
		normalizeMapping(m)
	}
	return def
}

// normalizeMapping fills in the defaults of a mappings document or of a
// document field: dynamic false, empty fields absent, each field's own
// defaults; a field mapped as a one-element array equals that element.
func normalizeMapping(m map[string]any) {
	setIfAbsent(m, "dynamic", false)
	dropIfEmpty(m, "fields")
	fields, _ := m["fields"].(map[string]any)
	for k, v := range fields {
		if a, ok := v.([]any); ok && len(a) == 1 {
			v = a[0]
			fields[k] = v
		}
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		// A field indexed as several types: the order of the types does
		// not matter.
		sort.SliceStable(list, func(i, j int) bool { return fieldTypeOf(list[i]) < fieldTypeOf(list[j]) })
		for _, f := range list {
			if fm, ok := f.(map[string]any); ok {
				normalizeSearchField(fm)
			}
		}
	}
}

// searchFieldDefaults are the documented defaults of field type options.
var searchFieldDefaults = map[string]map[string]any{
	"string":       {"indexOptions": "offsets", "store": true, "norms": "include"},
	"number":       {"representation": "double", "indexIntegers": true, "indexDoubles": true},
	"autocomplete": {"tokenization": "edgeGram", "minGrams": float64(2), "maxGrams": float64(15), "foldDiacritics": true},
	"token":        {"normalizer": "none"},
}

func normalizeSearchField(f map[string]any) {
	typ, _ := f["type"].(string)
	for k, v := range searchFieldDefaults[typ] {
		setIfAbsent(f, k, v)
	}
	if typ == "document" || typ == "embeddedDocuments" {
		normalizeMapping(f)
	}
}

func fieldTypeOf(v any) string {
	m, _ := v.(map[string]any)
	t, _ := m["type"].(string)
	return t
}

func vectorKey(v any) string {
	m, _ := v.(map[string]any)
	return fmt.Sprintf("%v\x00%v", m["type"], m["path"])
}

func setIfAbsent(m map[string]any, k string, v any) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

func dropIfEqual(m map[string]any, k string, v any) {
	if m[k] == v {
		delete(m, k)
	}
}

func dropIfEmpty(m map[string]any, k string) {
	switch v := m[k].(type) {
	case map[string]any:
		if len(v) == 0 {
			delete(m, k)
		}
	case []any:
		if len(v) == 0 {
			delete(m, k)
		}
	}
}

// compareTrees appends a Difference for each path where d and l differ.
// Arrays of a vector index's fields are labelled by type and path.
func compareTrees(path string, d, l any, out *[]Difference) {
	dm, dIsMap := d.(map[string]any)
	lm, lIsMap := l.(map[string]any)
	if dIsMap && lIsMap {
		keys := map[string]bool{}
		for k := range dm {
			keys[k] = true
		}
		for k := range lm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			compareTrees(sub, dm[k], lm[k], out)
		}
		return
	}
	da, dIsArr := d.([]any)
	la, lIsArr := l.([]any)
	if dIsArr && lIsArr && len(da) == len(la) {
		for i := range da {
			compareTrees(fmt.Sprintf("%s[%s]", path, elementLabel(da[i], i)), da[i], la[i], out)
		}
		return
	}
	ds, ls := showTree(d), showTree(l)
	if ds != ls {
		*out = append(*out, Difference{Field: path, Declared: ds, Listed: ls})
	}
}

// elementLabel names an array element: "vector embedding" for a vector
// index's field, else its position.
func elementLabel(v any, i int) string {
	if m, ok := v.(map[string]any); ok {
		if t, ok := m["type"].(string); ok {
			if p, ok := m["path"].(string); ok {
				return t + " " + p
			}
		}
	}
	return fmt.Sprint(i)
}

// showTree prints a normalised value as JSON ("" when absent).
func showTree(v any) string {
	if v == nil {
		return ""
	}
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%d", int64(f))
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(out)
}
