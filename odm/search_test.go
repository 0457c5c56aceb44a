package odm_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

type searchMovie struct {
	Title     string    `bson:"title"`
	Plot      string    `bson:"plot"`
	Embedding []float32 `bson:"plot_embedding" odm:"vector:1536,cosine"`
	Genre     string    `bson:"genre" odm:"vectorFilter"`
	Year      int       `bson:"year" odm:"vectorFilter"`
	Awards    struct {
		Text string `bson:"text"`
	} `bson:"awards"`
}

func (searchMovie) CollectionName() string { return "search_movies" }
func (searchMovie) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{
		Fields: []schema.SearchField{
			{Path: "title", Type: "string", Analyzer: "lucene.english"},
			{Path: "title", Type: "autocomplete"},
			{Path: "awards", Type: "document", Fields: []schema.SearchField{{Path: "text", Type: "string"}}},
		},
	}}
}

type searchNamedVectors struct {
	Text  []float64   `bson:"text_vec" odm:"vector:8,dotProduct,scalar,name:multi"`
	Image bson.Vector `bson:"image_vec" odm:"vector:16,euclidean,binary,name:multi"`
	Arr   [3]float32  `bson:"arr" odm:"vector:3,euclidean"`
	Lang  *string     `bson:"lang" odm:"vectorFilter:multi"`
}

type searchDynamic struct {
	Body string `bson:"body"`
}

func (searchDynamic) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{
		{Dynamic: true},
		{Name: "raw", Definition: bson.D{{Key: "mappings", Value: bson.D{{Key: "dynamic", Value: true}}},
			{Key: "storedSource", Value: true}}},
		{Name: "vec_outside", Type: schema.VectorSearch, OutsideStruct: true,
			Vectors: []schema.VectorField{{Path: "emb", Dimensions: 4, Similarity: schema.Cosine}}, Filters: []string{"tenant"}},
	}
}

func extJSON(t *testing.T, d bson.D) string {
	t.Helper()
	out, err := bson.MarshalExtJSON(d, false, false)
	require.NoError(t, err)
	return string(out)
}

func TestSearchDeclarations(t *testing.T) {
	tests := []struct {
		model      any
		collection string
		want       []string // createSearchIndexes entries, in declaration order
	}{
		{searchMovie{}, "search_movies", []string{
			`{"name":"vector_index","type":"vectorSearch","definition":{"fields":[{"type":"vector","path":"plot_embedding","numDimensions":1536,"similarity":"cosine"},{"type":"filter","path":"genre"},{"type":"filter","path":"year"}]}}`,
			`{"name":"default","type":"search","definition":{"mappings":{"dynamic":false,"fields":{"title":[{"type":"string","analyzer":"lucene.english"},{"type":"autocomplete"}],"awards":{"type":"document","dynamic":false,"fields":{"text":{"type":"string"}}}}}}}`,
		}},
		{searchNamedVectors{}, "search_named_vectors", []string{
			`{"name":"multi","type":"vectorSearch","definition":{"fields":[{"type":"vector","path":"text_vec","numDimensions":8,"similarity":"dotProduct","quantization":"scalar"},{"type":"vector","path":"image_vec","numDimensions":16,"similarity":"euclidean","quantization":"binary"},{"type":"filter","path":"lang"}]}}`,
			`{"name":"vector_index","type":"vectorSearch","definition":{"fields":[{"type":"vector","path":"arr","numDimensions":3,"similarity":"euclidean"}]}}`,
		}},
		{searchDynamic{}, "search_dynamic", []string{
			`{"name":"default","type":"search","definition":{"mappings":{"dynamic":true}}}`,
			`{"name":"raw","type":"search","definition":{"mappings":{"dynamic":true},"storedSource":true}}`,
			`{"name":"vec_outside","type":"vectorSearch","definition":{"fields":[{"type":"vector","path":"emb","numDimensions":4,"similarity":"cosine"},{"type":"filter","path":"tenant"}]}}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.collection, func(t *testing.T) {
			got, err := odm.DeclaredSearch(tt.model)
			require.NoError(t, err)
			var docs []string
			for _, s := range got[tt.collection] {
				docs = append(docs, extJSON(t, s.Document()))
				// Model carries the same name, type and definition.
				m := odm.SearchIndexModel(s)
				assert.Equal(t, extJSON(t, s.DefinitionDocument()), extJSON(t, m.Definition.(bson.D)))
				assert.Contains(t, s.String(), s.IndexName()+" ("+string(s.IndexType())+") ")
			}
			assert.Equal(t, tt.want, docs)
		})
	}
}

// Models with faulty search declarations, one fault each.
type (
	vecZero struct {
		V []float32 `bson:"v" odm:"vector:0,cosine"`
	}
	vecTooMany struct {
		V []float32 `bson:"v" odm:"vector:8193,cosine"`
	}
	vecSimilarity struct {
		V []float32 `bson:"v" odm:"vector:3,manhattan"`
	}
	vecNoSimilarity struct {
		V []float32 `bson:"v" odm:"vector:3"`
	}
	vecString struct {
		V string `bson:"v" odm:"vector:3,cosine"`
	}
	vecStrings struct {
		V []string `bson:"v" odm:"vector:3,cosine"`
	}
	vecArray struct {
		V [4]float32 `bson:"v" odm:"vector:3,cosine"`
	}
	vecFilterOnly struct {
		F string `bson:"f" odm:"vectorFilter"`
	}
	vecFilterComma struct {
		V []float32 `bson:"v" odm:"vector:3,cosine"`
		F string    `bson:"f" odm:"vectorFilter:x,y"`
	}
	vecFilterDoc struct {
		V    []float32         `bson:"v" odm:"vector:3,cosine"`
		Meta map[string]string `bson:"meta" odm:"vectorFilter"`
	}
	vecFilterKinds struct {
		V    []float32     `bson:"v" odm:"vector:3,cosine"`
		At   time.Time     `bson:"at" odm:"vectorFilter"`
		ID   bson.ObjectID `bson:"oid" odm:"vectorFilter"`
		Tags []string      `bson:"tags" odm:"vectorFilter"`
		On   *bool         `bson:"on" odm:"vectorFilter"`
	}
	searchBadPaths  struct{ Title string }
	searchDupNames  struct{ Title string }
	searchPanics    struct{ Title string }
	searchBadFields struct{ Title string }
)

func (searchBadPaths) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Type: schema.VectorSearch, Vectors: []schema.VectorField{{Path: "emb", Dimensions: 3, Similarity: schema.Cosine}},
		Filters: []string{"title", "tenant"}}}
}
func (searchDupNames) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Dynamic: true}, {Fields: []schema.SearchField{{Path: "title", Type: "string"}}}}
}
func (searchPanics) SearchIndexes() []schema.SearchIndexSpec { panic("no search indexes today") }
func (searchBadFields) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{
		{Name: "a", Fields: []schema.SearchField{{Path: "title", Type: "text"}}},
		{Name: "b", Fields: []schema.SearchField{{Path: "title", Type: "number", Analyzer: "lucene.english"}}},
		{Name: "c", Type: "lexical"},
		{Name: "d", Type: schema.VectorSearch},
		{Name: "e", Dynamic: true, Definition: bson.D{{Key: "mappings", Value: bson.D{}}}},
		{Name: "f", Vectors: []schema.VectorField{{Path: "title", Dimensions: 3, Similarity: schema.Cosine}}},
		{Name: "g", Fields: []schema.SearchField{{Path: "a.b", Type: "string"}}},
	}
}

func TestSearchValidation(t *testing.T) {
	tests := []struct {
		name  string
		model any
		want  []string // each must appear in the error
	}{
		{"zero dimensions", vecZero{}, []string{"odm_test.vecZero.V", "vector:0,cosine", "from 1 to 8192"}},
		{"too many dimensions", vecTooMany{}, []string{"vecTooMany.V", `not "8193"`}},
		{"unknown similarity", vecSimilarity{}, []string{"vecSimilarity.V", `unknown vector option "manhattan"`}},
		{"no similarity", vecNoSimilarity{}, []string{"vecNoSimilarity.V", "vector needs a similarity"}},
		{"string field", vecString{}, []string{"vecString.V", "index vector_index]", "the field holds string; a vector is a slice of numbers"}},
		{"slice of strings", vecStrings{}, []string{"vecStrings.V", "the field holds []string"}},
		{"array of the wrong length", vecArray{}, []string{"vecArray.V", "[4]float32, 4 numbers, but the index declares 3 dimensions"}},
		{"filter without vector", vecFilterOnly{}, []string{"vecFilterOnly.F", `vector index "vector_index" has filter fields but no vector field`}},
		{"filter with options", vecFilterComma{}, []string{"vecFilterComma.F", "vectorFilter takes only an index name"}},
		{"filter on a document", vecFilterDoc{}, []string{"vecFilterDoc.Meta", "filter meta: the field holds map[string]string, a document"}},
		{"paths outside the struct", searchBadPaths{}, []string{"searchBadPaths.SearchIndexes()[0]", "vector path emb names no field", "filter path tenant names no field"}},
		{"one name, two definitions", searchDupNames{}, []string{"searchDupNames.SearchIndexes()[1]", `search index name "default" is declared twice`}},
		{"panicking method", searchPanics{}, []string{"searchPanics.SearchIndexes()", "panicked: no search indexes today"}},
		{"bad fields", searchBadFields{}, []string{
			`index a]`, `search field title: unknown type "text"`,
			`index b]`, "analyzers apply to string and autocomplete fields only",
			`index c]`, `unknown search index type "lexical"`,
			`index d]`, "a vector index needs at least one vector field",
			`index e]`, "Definition is the whole definition",
			`index f]`, "Vectors and Filters need Type VectorSearch",
			`index g]`, "give each level its own name",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := odm.Validate(tt.model)
			var ve *schema.ValidationError
			require.True(t, errors.As(err, &ve), "want a *ValidationError, got %v", err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

type (
	sharedSearchA struct{ Title string }
	sharedSearchB struct{ Title string }
	sharedSearchC struct{ Title string }
)

func (sharedSearchA) CollectionName() string { return "shared_search" }
func (sharedSearchB) CollectionName() string { return "shared_search" }
func (sharedSearchC) CollectionName() string { return "shared_search" }
func (sharedSearchA) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Dynamic: true}}
}
func (sharedSearchB) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Dynamic: true}}
}
func (sharedSearchC) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Fields: []schema.SearchField{{Path: "title", Type: "token"}}}}
}

func TestSearchFilterKinds(t *testing.T) {
	got, err := odm.DeclaredSearch(vecFilterKinds{})
	require.NoError(t, err, "dates, ObjectIds, arrays of strings and booleans are filters")
	require.Len(t, got["vec_filter_kinds"], 1)
	assert.Equal(t, []string{"at", "oid", "tags", "on"}, got["vec_filter_kinds"][0].Filters)
}

func TestSearchSharedCollection(t *testing.T) {
	got, err := odm.DeclaredSearch(sharedSearchA{}, sharedSearchB{})
	require.NoError(t, err, "two models declaring the same index agree")
	assert.Len(t, got["shared_search"], 1)

	err = odm.Validate(sharedSearchA{}, sharedSearchC{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "odm_test.sharedSearchC.SearchIndexes()[0]")
	assert.Contains(t, err.Error(), `search index name "default" is declared twice with different definitions`)
}

// doc builds a listing document from extended JSON.
func doc(t *testing.T, ext string) bson.Raw {
	t.Helper()
	var raw bson.Raw
	require.NoError(t, bson.UnmarshalExtJSON([]byte(ext), false, &raw))
	return raw
}

// TestDiffSearchNormalises checks that what a server may add or write
// differently compares equal to the declaration.
func TestDiffSearchNormalises(t *testing.T) {
	movie, err := odm.DeclaredSearch(searchMovie{})
	require.NoError(t, err)
	vec, text := movie["search_movies"][0], movie["search_movies"][1]
	tests := []struct {
		name   string
		spec   schema.SearchIndexSpec
		listed string
		action diff.Action
	}{
		{"numbers of another type, fields reordered, defaults written out", vec,
			`{"name":"vector_index","type":"vectorSearch","status":"READY","queryable":true,"latestDefinition":{"fields":[
			  {"path":"year","type":"filter"},{"type":"filter","path":"genre"},
			  {"similarity":"cosine","numDimensions":{"$numberLong":"1536"},"path":"plot_embedding","type":"vector","quantization":"none"}]}}`,
			diff.Unchanged},
		{"dimensions as a double", vec,
			`{"name":"vector_index","type":"vectorSearch","latestDefinition":{"fields":[
			  {"type":"vector","path":"plot_embedding","numDimensions":{"$numberDouble":"1536.0"},"similarity":"cosine"},{"type":"filter","path":"genre"},{"type":"filter","path":"year"}]}}`,
			diff.Unchanged},
		{"a filter missing", vec,
			`{"name":"vector_index","type":"vectorSearch","latestDefinition":{"fields":[
			  {"type":"vector","path":"plot_embedding","numDimensions":1536,"similarity":"cosine"},{"type":"filter","path":"genre"}]}}`,
			diff.ModifyInPlace},
		{"quantization changed", vec,
			`{"name":"vector_index","type":"vectorSearch","latestDefinition":{"fields":[
			  {"type":"vector","path":"plot_embedding","numDimensions":1536,"similarity":"cosine","quantization":"scalar"},{"type":"filter","path":"genre"},{"type":"filter","path":"year"}]}}`,
			diff.ModifyInPlace},
		{"analyzers and field defaults written out, keys reordered, one-element arrays", text,
			`{"name":"default","latestDefinition":{"searchAnalyzer":"lucene.standard","analyzer":"lucene.standard","storedSource":false,"synonyms":[],
			  "mappings":{"fields":{"awards":[{"fields":{"text":{"type":"string","store":true,"indexOptions":"offsets","norms":"include"}},"type":"document","dynamic":false}],
			    "title":[{"analyzer":"lucene.english","type":"string"},{"type":"autocomplete","minGrams":2,"maxGrams":{"$numberLong":"15"},"tokenization":"edgeGram","foldDiacritics":true}]},"dynamic":false}}}`,
			diff.Unchanged},
		{"a field's analyzer changed", text,
			`{"name":"default","latestDefinition":{"mappings":{"dynamic":false,"fields":{"awards":{"type":"document","fields":{"text":{"type":"string"}}},
			  "title":[{"type":"string","analyzer":"lucene.french"},{"type":"autocomplete"}]}}}}`,
			diff.ModifyInPlace},
		{"types of a field in another order", text,
			`{"name":"default","latestDefinition":{"mappings":{"dynamic":false,"fields":{"awards":{"type":"document","fields":{"text":{"type":"string"}}},
			  "title":[{"type":"autocomplete"},{"type":"string","analyzer":"lucene.english"}]}}}}`,
			diff.Unchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := diff.DiffSearch([]schema.SearchIndexSpec{tt.spec}, []bson.Raw{doc(t, tt.listed)})
			require.NoError(t, err)
			require.Len(t, changes, 1)
			assert.Equal(t, tt.action, changes[0].Action, "%v", changes[0].Differences)
		})
	}
}

// FuzzSearchDiff feeds DiffSearch arbitrary listing bytes: an error or a
// result, never a panic.
// Its seeds are the listings of package diff's table tests.
func FuzzSearchDiff(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("diff", "testdata", "search"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".json" {
			continue
		}
		data, err := os.ReadFile(filepath.Join("diff", "testdata", "search", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		var file struct {
			Listing []bson.Raw `bson:"listing"`
		}
		if err := bson.UnmarshalExtJSON(data, false, &file); err != nil {
			f.Fatal(err)
		}
		for _, raw := range file.Listing {
			f.Add([]byte(raw))
		}
	}
	declared, err := odm.DeclaredSearch(searchMovie{})
	if err != nil {
		f.Fatal(err)
	}
	specs := append(declared["search_movies"], schema.SearchIndexSpec{Name: "test-search-index"})
	f.Fuzz(func(t *testing.T, data []byte) {
		changes, err := diff.DiffSearch(specs, []bson.Raw{data})
		if err == nil && len(changes) < len(specs) {
			t.Fatalf("%d changes for %d declared indexes", len(changes), len(specs))
		}
	})
}
