package schema

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/internal/spell"
	"github.com/tagodm/tagodm/odm/internal/extjson"
	"github.com/tagodm/tagodm/odm/internal/tagspell"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// SearchIndexType is the type of a MongoDB Search index, as the
// createSearchIndexes command and $listSearchIndexes name it.
type SearchIndexType string

// The search index types.
const (
	// FullTextSearch is a MongoDB Search (full-text) index: "search".
	FullTextSearch SearchIndexType = "search"
	// VectorSearch is a MongoDB Vector Search index: "vectorSearch".
	VectorSearch SearchIndexType = "vectorSearch"
)

// Default search index names. MongoDB names a search index created without
// a name "default"; the manual's Vector Search examples name their index
// "vector_index", and so does the library for a vector index declared
// without a name (a collection cannot hold two indexes named "default").
const (
	DefaultSearchIndexName = "default"
	DefaultVectorIndexName = "vector_index"
)

// MaxVectorDimensions is the largest numDimensions MongoDB Vector Search
// accepts.
const MaxVectorDimensions = 8192

// Similarity is the function a vector index ranks neighbours by.
type Similarity string

// The similarity functions of a vector index.
const (
	Euclidean  Similarity = "euclidean"
	Cosine     Similarity = "cosine"
	DotProduct Similarity = "dotProduct"
)

// Quantization is the automatic quantization of a vector index.
type Quantization string

// The quantizations of a vector index; the empty value is the server's
// default, "none".
const (
	QuantizationNone   Quantization = "none"
	QuantizationScalar Quantization = "scalar"
	QuantizationBinary Quantization = "binary"
)

// SearchIndexDeclarer is implemented by models that declare MongoDB Search
// indexes: full-text indexes, or vector indexes a tag cannot express.
// SearchIndexes is called on the zero value of the model.
type SearchIndexDeclarer interface {
	SearchIndexes() []SearchIndexSpec
}

// SearchIndexSpec declares one MongoDB Search or Vector Search index. It
// validates, compares and prints, and converts to the driver's
// mongo.SearchIndexModel with SearchIndexModel.
//
// A full-text index (Type FullTextSearch, the default) uses Dynamic,
// Fields, Analyzer and SearchAnalyzer; a vector index (Type VectorSearch)
// uses Vectors and Filters. Definition, when set, is the whole index
// definition as sent (custom analyzers, synonyms, stored source); the typed
// fields must then be empty.
type SearchIndexSpec struct {
	// Name is the index name; "default" for a full-text index and
	// "vector_index" for a vector index when empty.
	Name string
	// Type is FullTextSearch when empty.
	Type SearchIndexType

	// Dynamic is mappings.dynamic: index every field of a supported type.
	Dynamic bool
	// Fields are mappings.fields, the static mappings.
	Fields []SearchField
	// Analyzer and SearchAnalyzer name the index's analyzers
	// ("lucene.standard" when empty, as on the server).
	Analyzer       string
	SearchAnalyzer string

	// Vectors are the vector fields of a vector index.
	Vectors []VectorField
	// Filters are the paths a vector index can pre-filter on.
	Filters []string

	// Definition is the whole definition document, sent as it is.
	Definition bson.D

	// OutsideStruct allows paths that name no field of the Go struct.
	OutsideStruct bool

	origin origin
}

// SearchField is one field of a full-text index's static mappings. Several
// SearchFields with one Path at the same level index the field as several
// types (listed as an array).
type SearchField struct {
	// Path is the field name at its level ("title"; "author" inside a
	// document field).
	Path string
	// Type is the MongoDB Search field type: "string", "token", "number",
	// "date", "boolean", "objectId", "uuid", "autocomplete", "document",
	// "embeddedDocuments", "geo".
	Type string
	// Analyzer and SearchAnalyzer of a string or autocomplete field.
	Analyzer       string
	SearchAnalyzer string
	// Dynamic and Fields of a document or embeddedDocuments field.
	Dynamic bool
	Fields  []SearchField
}

// VectorField is one vector field of a vector index.
type VectorField struct {
	Path         string
	Dimensions   int
	Similarity   Similarity
	Quantization Quantization
}

// searchFieldTypes are the field types of MongoDB Search mappings.
var searchFieldTypes = []string{"autocomplete", "boolean", "date", "dateFacet", "document",
	"embeddedDocuments", "geo", "knnVector", "number", "numberFacet", "objectId", "string",
	"stringFacet", "token", "uuid"}

// IndexName is the name the index has on the server.
func (s SearchIndexSpec) IndexName() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.IndexType() == VectorSearch:
		return DefaultVectorIndexName
	}
	return DefaultSearchIndexName
}

// IndexType is Type, FullTextSearch when empty.
func (s SearchIndexSpec) IndexType() SearchIndexType {
	if s.Type == "" {
		return FullTextSearch
	}
	return s.Type
}

// DefinitionDocument is the index definition as createSearchIndexes and
// updateSearchIndex take it.
func (s SearchIndexSpec) DefinitionDocument() bson.D {
	if s.Definition != nil {
		return s.Definition
	}
	if s.IndexType() == VectorSearch {
		fields := bson.A{}
		for _, v := range s.Vectors {
			f := bson.D{{Key: "type", Value: "vector"}, {Key: "path", Value: v.Path},
				{Key: "numDimensions", Value: int32(v.Dimensions)}, {Key: "similarity", Value: string(v.Similarity)}}
			if v.Quantization != "" {
				f = append(f, bson.E{Key: "quantization", Value: string(v.Quantization)})
			}
			fields = append(fields, f)
		}
		for _, p := range s.Filters {
			fields = append(fields, bson.D{{Key: "type", Value: "filter"}, {Key: "path", Value: p}})
		}
		return bson.D{{Key: "fields", Value: fields}}
	}
	mappings := bson.D{{Key: "dynamic", Value: s.Dynamic}}
	if len(s.Fields) > 0 {
		mappings = append(mappings, bson.E{Key: "fields", Value: searchFieldsDocument(s.Fields)})
	}
	d := bson.D{{Key: "mappings", Value: mappings}}
	if s.Analyzer != "" {
		d = append(d, bson.E{Key: "analyzer", Value: s.Analyzer})
	}
	if s.SearchAnalyzer != "" {
		d = append(d, bson.E{Key: "searchAnalyzer", Value: s.SearchAnalyzer})
	}
	return d
}

// searchFieldsDocument renders static mappings: one document per path, or
// an array of them for a path indexed as several types.
func searchFieldsDocument(fields []SearchField) bson.D {
	var out bson.D
	byPath := map[string]int{}
	for _, f := range fields {
		doc := bson.D{{Key: "type", Value: f.Type}}
		if f.Analyzer != "" {
			doc = append(doc, bson.E{Key: "analyzer", Value: f.Analyzer})
		}
		if f.SearchAnalyzer != "" {
			doc = append(doc, bson.E{Key: "searchAnalyzer", Value: f.SearchAnalyzer})
		}
		if f.Type == "document" || f.Type == "embeddedDocuments" {
			doc = append(doc, bson.E{Key: "dynamic", Value: f.Dynamic})
			if len(f.Fields) > 0 {
				doc = append(doc, bson.E{Key: "fields", Value: searchFieldsDocument(f.Fields)})
			}
		}
		i, seen := byPath[f.Path]
		if !seen {
			byPath[f.Path] = len(out)
			out = append(out, bson.E{Key: f.Path, Value: doc})
			continue
		}
		if a, ok := out[i].Value.(bson.A); ok {
			out[i].Value = append(a, doc)
		} else {
			out[i].Value = bson.A{out[i].Value, doc}
		}
	}
	return out
}

// Document is the index as one entry of createSearchIndexes: name, type
// and definition.
func (s SearchIndexSpec) Document() bson.D {
	return bson.D{{Key: "name", Value: s.IndexName()}, {Key: "type", Value: string(s.IndexType())},
		{Key: "definition", Value: s.DefinitionDocument()}}
}

// String renders the spec on one line: name, type and definition as
// extended JSON.
func (s SearchIndexSpec) String() string {
	return fmt.Sprintf("%s (%s) %s", s.IndexName(), s.IndexType(), extjson.Format(s.DefinitionDocument()))
}

// checkSearchSpec checks one search index on its own, against the struct
// it indexes. Vector fields declared in tags were checked field by field
// (tagSearchIndexes), so that each problem names its own field.
func checkSearchSpec(s SearchIndexSpec, st *reflectx.Struct) []string {
	var msgs []string
	add := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	if strings.ContainsRune(s.Name, 0) {
		add("search index name contains a NUL byte")
	}
	switch s.IndexType() {
	case FullTextSearch, VectorSearch:
	default:
		add("unknown search index type %q (want search or vectorSearch)", string(s.Type))
		return msgs
	}
	if s.Definition != nil {
		if s.Dynamic || s.Fields != nil || s.Analyzer != "" || s.SearchAnalyzer != "" || s.Vectors != nil || s.Filters != nil {
			add("Definition is the whole definition: leave Dynamic, Fields, Analyzer, SearchAnalyzer, Vectors and Filters empty")
		}
		return msgs
	}
	exists := func(path string) bool { return s.OutsideStruct || st.Lookup(path) }
	if s.IndexType() == VectorSearch {
		if s.Dynamic || s.Fields != nil || s.Analyzer != "" || s.SearchAnalyzer != "" {
			add("a vector index takes Vectors and Filters, not Dynamic, Fields or analyzers")
		}
		if len(s.Vectors) == 0 {
			add("a vector index needs at least one vector field")
		}
		seen := map[string]bool{}
		for _, v := range s.Vectors {
			if s.origin.tag == "" {
				msgs = append(msgs, checkVectorField(v, st, s.OutsideStruct)...)
			}
			if seen[v.Path] {
				add("path %s is indexed twice", v.Path)
			}
			seen[v.Path] = true
		}
		for _, p := range s.Filters {
			switch {
			case p == "":
				add("a filter field has an empty path")
			case seen[p]:
				add("path %s is indexed twice", p)
			case !exists(p):
				add("filter path %s names no field of the struct (set OutsideStruct for fields stored beside the struct's own)", p)
			case s.origin.tag != "":
				// a tag-declared filter's type was checked at its own field
				// (tagSearchIndexes), not at the index's first field
			default:
				if f, ok := st.Field(p); ok {
					if msg := filterType(f.Type); msg != "" {
						add("filter %s: %s", p, msg)
					}
				}
			}
			seen[p] = true
		}
		return msgs
	}
	if len(s.Vectors) > 0 || len(s.Filters) > 0 {
		add("Vectors and Filters need Type VectorSearch")
	}
	msgs = append(msgs, checkSearchFields(s.Fields, "", exists)...)
	return msgs
}

// checkSearchFields checks static mappings, paths joined below documents.
func checkSearchFields(fields []SearchField, prefix string, exists func(string) bool) []string {
	var msgs []string
	types := map[string][]string{}
	for _, f := range fields {
		path := join(prefix, f.Path)
		switch {
		case f.Path == "" || strings.Contains(f.Path, "."):
			msgs = append(msgs, fmt.Sprintf("search field %q: give each level its own name (nest a document field for %s)", path, path))
			continue
		case !slices.Contains(searchFieldTypes, f.Type):
			msgs = append(msgs, fmt.Sprintf("search field %s: unknown type %q (want one of %s)", path, f.Type, strings.Join(searchFieldTypes, ", ")))
		case slices.Contains(types[f.Path], f.Type):
			msgs = append(msgs, fmt.Sprintf("search field %s is mapped as %s twice", path, f.Type))
		case !exists(path):
			msgs = append(msgs, fmt.Sprintf("search field %s names no field of the struct (set OutsideStruct for fields stored beside the struct's own)", path))
		}
		types[f.Path] = append(types[f.Path], f.Type)
		nested := f.Type == "document" || f.Type == "embeddedDocuments"
		if !nested && (f.Dynamic || len(f.Fields) > 0) {
			msgs = append(msgs, fmt.Sprintf("search field %s: Dynamic and Fields need type document or embeddedDocuments", path))
		}
		if (f.Analyzer != "" || f.SearchAnalyzer != "") && f.Type != "string" && f.Type != "autocomplete" {
			msgs = append(msgs, fmt.Sprintf("search field %s: analyzers apply to string and autocomplete fields only", path))
		}
		msgs = append(msgs, checkSearchFields(f.Fields, path, exists)...)
	}
	return msgs
}

// checkVectorField checks one vector field: dimensions, similarity,
// quantization, and the Go type of the field it indexes.
func checkVectorField(v VectorField, st *reflectx.Struct, outside bool) []string {
	var msgs []string
	add := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	if v.Path == "" {
		add("a vector field has an empty path")
	}
	if v.Dimensions < 1 || v.Dimensions > MaxVectorDimensions {
		add("vector %s: dimensions must be from 1 to %d, not %d", v.Path, MaxVectorDimensions, v.Dimensions)
	}
	switch v.Similarity {
	case Euclidean, Cosine, DotProduct:
	default:
		add("vector %s: unknown similarity %q (want euclidean, cosine or dotProduct)%s", v.Path, string(v.Similarity), spell.Hint("", spell.Nearest(string(v.Similarity), "euclidean", "cosine", "dotProduct")))
	}
	switch v.Quantization {
	case "", QuantizationNone, QuantizationScalar, QuantizationBinary:
	default:
		add("vector %s: unknown quantization %q (want none, scalar or binary)%s", v.Path, string(v.Quantization), spell.Hint("", spell.Nearest(string(v.Quantization), "none", "scalar", "binary")))
	}
	if v.Path == "" {
		return msgs
	}
	f, ok := st.Field(v.Path)
	switch {
	case !ok && !outside && !st.Lookup(v.Path):
		add("vector path %s names no field of the struct (set OutsideStruct for fields stored beside the struct's own)", v.Path)
	case ok:
		if msg := vectorType(f.Type, v.Dimensions); msg != "" {
			add("vector %s: %s", v.Path, msg)
		}
	}
	return msgs
}

var (
	bsonVectorType = reflect.TypeFor[bson.Vector]()
	timeType       = reflect.TypeFor[time.Time]()
	marshalerTypes = []reflect.Type{reflect.TypeFor[bson.Marshaler](), reflect.TypeFor[bson.ValueMarshaler]()}
)

// filterType says what is wrong with a Go type holding a vector index's
// filter field: MongoDB filters on booleans, dates, ObjectIds, numbers,
// strings and UUIDs (or arrays of them), never on a document.
func filterType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		t = t.Elem()
	}
	for _, m := range marshalerTypes {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return "" // the type decides its own BSON form
		}
	}
	if t.Kind() == reflect.Map || t.Kind() == reflect.Struct && t != timeType {
		return fmt.Sprintf("the field holds %v, a document; filter on booleans, dates, ObjectIds, numbers, strings or UUIDs", t)
	}
	return ""
}

// vectorType says what is wrong with a Go type holding a vector: it must be
// a slice or array of numbers, or a bson.Vector; an array must have the
// declared length.
func vectorType(t reflect.Type, dims int) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == bsonVectorType {
		return ""
	}
	if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
		return fmt.Sprintf("the field holds %v; a vector is a slice of numbers ([]float32, []float64) or a bson.Vector", t)
	}
	switch t.Elem().Kind() {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
	default:
		return fmt.Sprintf("the field holds %v; a vector is a slice of numbers ([]float32, []float64) or a bson.Vector", t)
	}
	if t.Kind() == reflect.Array && t.Len() != dims {
		return fmt.Sprintf("the field holds %v, %d numbers, but the index declares %d dimensions", t, t.Len(), dims)
	}
	return ""
}

// checkSearchCollection checks search indexes that will share one
// collection: a name names one index (search and vector indexes share the
// namespace). Specs equal in every respect are the same index.
func checkSearchCollection(collection string, specs []SearchIndexSpec) []Problem {
	var problems []Problem
	byName := map[string]SearchIndexSpec{}
	for _, s := range specs {
		name := s.IndexName()
		prev, ok := byName[name]
		if !ok {
			byName[name] = s
			continue
		}
		if !sameSearchSpec(prev, s) {
			problems = append(problems, Problem{GoType: s.origin.goType, Field: s.origin.field, Tag: s.origin.tag,
				Collection: collection, Index: name,
				Message: fmt.Sprintf("search index name %q is declared twice with different definitions: %s and %s (the other is declared at %s)", name, prev, s, prev.origin)})
		}
	}
	return problems
}

func sameSearchSpec(a, b SearchIndexSpec) bool {
	return a.String() == b.String() && a.OutsideStruct == b.OutsideStruct
}

// dedupeSearch drops specs named like an earlier one (several models
// declaring the same index on a shared collection).
func dedupeSearch(specs []SearchIndexSpec) []SearchIndexSpec {
	var out []SearchIndexSpec
	for _, s := range specs {
		if !slices.ContainsFunc(out, func(o SearchIndexSpec) bool { return o.IndexName() == s.IndexName() }) {
			out = append(out, s)
		}
	}
	return out
}

// searchClause is a vector or vectorFilter clause of a field's tag.
type searchClause struct {
	Filter       bool   // vectorFilter
	Index        string // the vector index's name; DefaultVectorIndexName when empty
	Dims         int
	Similarity   Similarity
	Quantization Quantization
}

// parseSearchClause reads `vector:DIMS,SIMILARITY[,QUANTIZATION][,name:NAME]`
// or `vectorFilter[:NAME]`.
func parseSearchClause(head, arg, raw string) (searchClause, []string) {
	if head == "vectorFilter" {
		c := searchClause{Filter: true, Index: strings.TrimSpace(arg)}
		if strings.Contains(raw, ",") {
			return c, []string{"vectorFilter takes only an index name, as in vectorFilter or vectorFilter:NAME"}
		}
		if strings.Contains(raw, ":") && c.Index == "" {
			return c, []string{"empty index name after ':'"}
		}
		return c, nil
	}
	var c searchClause
	var errs []string
	parts := strings.Split(arg, ",")
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || n < 1 || n > MaxVectorDimensions {
		errs = append(errs, fmt.Sprintf("vector needs its number of dimensions, from 1 to %d, as in vector:1536,cosine; not %q", MaxVectorDimensions, parts[0]))
	}
	c.Dims = n
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		opt, val, hasVal := strings.Cut(p, ":")
		switch {
		case hasVal && opt == "name":
			if c.Index = strings.TrimSpace(val); c.Index == "" {
				errs = append(errs, "empty index name after name:")
			}
		case !hasVal && slices.Contains([]Similarity{Euclidean, Cosine, DotProduct}, Similarity(p)):
			if c.Similarity != "" {
				errs = append(errs, fmt.Sprintf("two similarities (%s and %s)", c.Similarity, p))
			}
			c.Similarity = Similarity(p)
		case !hasVal && slices.Contains([]Quantization{QuantizationNone, QuantizationScalar, QuantizationBinary}, Quantization(p)):
			if c.Quantization != "" {
				errs = append(errs, fmt.Sprintf("two quantizations (%s and %s)", c.Quantization, p))
			}
			c.Quantization = Quantization(p)
		default:
			errs = append(errs, fmt.Sprintf("unknown vector option %q (want euclidean, cosine or dotProduct; none, scalar or binary; name:NAME)", p)+spell.Hint("", tagspell.Vector(p)))
		}
	}
	if c.Similarity == "" && len(errs) == 0 {
		errs = append(errs, "vector needs a similarity: euclidean, cosine or dotProduct")
	}
	return c, errs
}
