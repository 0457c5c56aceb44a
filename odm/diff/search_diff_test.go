package diff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

// searchListing reads a testdata file of $listSearchIndexes documents.
func searchListing(t *testing.T, file string) []bson.Raw {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "search", file))
	require.NoError(t, err)
	var f struct {
		Source  string     `bson:"source"`
		Listing []bson.Raw `bson:"listing"`
	}
	require.NoError(t, bson.UnmarshalExtJSON(data, false, &f))
	require.True(t, strings.HasPrefix(f.Source, "https://"), "%s records its source", file)
	require.NotEmpty(t, f.Listing)
	return f.Listing
}

func TestDiffSearchListings(t *testing.T) {
	staticNone := schema.SearchIndexSpec{Name: "test-search-index"}
	dynamic := schema.SearchIndexSpec{Name: "test-search-index", Dynamic: true}
	vector := func(sim schema.Similarity) schema.SearchIndexSpec {
		return schema.SearchIndexSpec{Name: "test-search-index-case7-vector", Type: schema.VectorSearch,
			Vectors: []schema.VectorField{{Path: "plot_embedding", Dimensions: 1536, Similarity: sim}}}
	}
	type want struct {
		name   string
		action diff.Action
		diffs  []string // Difference.String()
		status string
	}
	tests := []struct {
		name     string
		file     string
		declared []schema.SearchIndexSpec
		want     []want
	}{
		{"created as declared", "spec-case1-create-and-list.json", []schema.SearchIndexSpec{staticNone},
			[]want{{"test-search-index", diff.Unchanged, nil, ""}}},
		{"mappings changed", "spec-case1-create-and-list.json", []schema.SearchIndexSpec{dynamic},
			[]want{{"test-search-index", diff.ModifyInPlace, []string{"mappings.dynamic: declared true, listed false"}, ""}}},
		{"one declared, one undeclared", "spec-case2-batch.json", []schema.SearchIndexSpec{{Name: "test-search-index-2"}},
			[]want{{"test-search-index-2", diff.Unchanged, nil, ""}, {"test-search-index-1", diff.Drop, nil, ""}}},
		{"missing", "spec-case2-batch.json", []schema.SearchIndexSpec{{Name: "test-search-index-3", Dynamic: true}, {Name: "test-search-index-1"}, {Name: "test-search-index-2"}},
			[]want{{"test-search-index-3", diff.Create, nil, ""}, {"test-search-index-1", diff.Unchanged, nil, ""}, {"test-search-index-2", diff.Unchanged, nil, ""}}},
		{"updated and ready", "spec-case4-updated.json", []schema.SearchIndexSpec{dynamic},
			[]want{{"test-search-index", diff.Unchanged, nil, "READY"}}},
		{"types", "spec-case7-types.json", []schema.SearchIndexSpec{{Name: "test-search-index-case7-implicit"}, {Name: "test-search-index-case7-explicit", Type: schema.FullTextSearch}, vector(schema.Euclidean)},
			[]want{{"test-search-index-case7-implicit", diff.Unchanged, nil, ""}, {"test-search-index-case7-explicit", diff.Unchanged, nil, ""}, {"test-search-index-case7-vector", diff.Unchanged, nil, ""}}},
		{"vector similarity changed", "spec-case7-types.json", []schema.SearchIndexSpec{vector(schema.Cosine), {Name: "test-search-index-case7-implicit"}, {Name: "test-search-index-case7-explicit"}},
			[]want{{"test-search-index-case7-vector", diff.ModifyInPlace, []string{"fields[vector plot_embedding].similarity: declared \"cosine\", listed \"euclidean\""}, ""},
				{"test-search-index-case7-implicit", diff.Unchanged, nil, ""}, {"test-search-index-case7-explicit", diff.Unchanged, nil, ""}}},
		{"another type under the name", "spec-case7-types.json", []schema.SearchIndexSpec{{Name: "test-search-index-case7-vector", Dynamic: true}},
			[]want{{"test-search-index-case7-vector", diff.Conflict, nil, ""}, {"test-search-index-case7-implicit", diff.Drop, nil, ""}, {"test-search-index-case7-explicit", diff.Drop, nil, ""}}},
		{"building a new definition", "manual-list-building.json", []schema.SearchIndexSpec{{Definition: bson.D{{Key: "mappings", Value: bson.D{{Key: "dynamic", Value: true}}}, {Key: "storedSource", Value: bson.D{{Key: "include", Value: bson.A{"awards.text"}}}}}}},
			[]want{{"default", diff.Unchanged, nil, "BUILDING"}}},
		{"stored source not declared", "manual-list-building.json", []schema.SearchIndexSpec{{Dynamic: true}},
			[]want{{"default", diff.ModifyInPlace, []string{`storedSource: declared absent, listed {"include":["awards.text"]}`}, "BUILDING"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := diff.DiffSearch(tt.declared, searchListing(t, tt.file))
			require.NoError(t, err)
			require.Len(t, changes, len(tt.want))
			for i, w := range tt.want {
				c := changes[i]
				assert.Equal(t, w.name, c.Name)
				assert.Equal(t, w.action, c.Action, "%s: %v", c.Name, c.Differences)
				assert.Equal(t, w.status, c.Status)
				if w.action == diff.Conflict {
					require.NotEmpty(t, c.Differences)
					assert.Equal(t, "type: declared search, listed vectorSearch", c.Differences[0].String())
					continue
				}
				var diffs []string
				for _, d := range c.Differences {
					diffs = append(diffs, d.String())
				}
				assert.Equal(t, w.diffs, diffs)
			}
		})
	}
}

func TestDiffSearchRejectsBadListings(t *testing.T) {
	for _, raw := range []bson.Raw{
		rawDoc(t, `{"type":"search"}`),
		bson.Raw{0x05, 0, 0, 0, 0},
	} {
		_, err := diff.DiffSearch(nil, []bson.Raw{raw})
		assert.Error(t, err)
	}
}
