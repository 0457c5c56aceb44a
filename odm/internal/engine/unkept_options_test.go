package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestUnkeptCollectionOptionsAreUnsupported: on FerretDB v2, create keeps
// no capped, timeseries, clusteredIndex or collation option. The planner
// recognises each from the listing: an *UnsupportedError naming all of
// them, or, with SkipUnsupported, options left alone and reported, never
// a conflict at every start.
func TestUnkeptCollectionOptionsAreUnsupported(t *testing.T) {
	shape := &schema.CollectionShape{Options: &schema.CollectionOptions{Capped: &schema.CappedOptions{Size: 1 << 20}}}
	decl := &schema.Declared{Collection: "logs", Shape: shape}
	plain := listing{collection: &CollectionInfo{Exists: true, Kind: "collection", Options: bson.Raw(must(bson.Marshal(bson.D{})))}}
	options := diff.DiffCollection(shape, plain.collection.Options, true)
	require.NotEmpty(t, options)

	p := planner{decl: decl, cfg: Defaults()}
	require.True(t, p.needsProfile(nil, options))
	_, err := roundFor(p, plain, nil, serverprofile.FerretV2)
	var ue *outcome.UnsupportedError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, []string{"capped", "size"}, ue.Options)

	_, err = roundFor(p, plain, nil, serverprofile.MongoDB)
	assert.NoError(t, err, "on MongoDB the difference is a conflict, for the gate to judge")

	skip := Defaults()
	skip.skipUnsupported = true
	p = planner{decl: decl, cfg: skip}
	r, err := roundFor(p, plain, nil, serverprofile.FerretV2)
	require.NoError(t, err)
	refused := &refusals{skipped: map[string]*outcome.IndexResult{}, unkeptOptions: map[string]bool{}}
	for _, o := range r.unkeptOptions {
		refused.unkeptOptions[o] = true
	}
	assert.NoError(t, p.gate(r, refused), "not a conflict")
	assert.Empty(t, p.steps(r, refused))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
