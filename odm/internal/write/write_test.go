package write

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func raw(t *testing.T, v any) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(v)
	require.NoError(t, err)
	return b
}

func paths(ws []UpdateWrite) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Path
	}
	return out
}

// The paths an update writes: every operator's fields but
// $setOnInsert's, a $rename's target too; a pipeline stage that may
// rewrite the document is an empty path.
func TestUpdateWrites(t *testing.T) {
	ws, err := OperatorWrites(raw(t, bson.D{
		{Key: "$set", Value: bson.D{{Key: "a", Value: 1}, {Key: "b.c", Value: 2}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "d", Value: 1}}},
		{Key: "$rename", Value: bson.D{{Key: "e", Value: "f"}}},
		{Key: "$unset", Value: bson.D{{Key: "g", Value: ""}}},
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b.c", "e", "f", "g"}, paths(ws))
	assert.Equal(t, int32(1), ws[0].Value.Int32(), "a $set keeps its value")
	assert.Equal(t, []string{"x", "y"}, paths(StageWrites(raw(t, bson.D{{Key: "$set", Value: bson.D{{Key: "x", Value: 1}, {Key: "y", Value: 2}}}}))))
	assert.Equal(t, []string{"x", "y"}, paths(StageWrites(raw(t, bson.D{{Key: "$unset", Value: bson.A{"x", "y"}}}))))
	assert.Equal(t, []string{""}, paths(StageWrites(raw(t, bson.D{{Key: "$replaceWith", Value: bson.D{}}}))))
}

// The fields a filter fixes for an upsert: its top level and its $and's,
// at any depth; not what $or or $nor name.
func TestAppendFilterPaths(t *testing.T) {
	f := raw(t, bson.D{
		{Key: "a", Value: 1},
		{Key: "$and", Value: bson.A{bson.D{{Key: "b.c", Value: 1}}, bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "d", Value: bson.D{{Key: "$eq", Value: 1}}}}}}}}},
		{Key: "$or", Value: bson.A{bson.D{{Key: "e", Value: 1}}}},
	})
	assert.Equal(t, []string{"a", "b.c", "d"}, AppendFilterPaths(nil, f))
}

// A model value under $setOnInsert alone loses its revision and a zero
// ObjectID _id; any other update is left as it is.
func TestModelInsert(t *testing.T) {
	ops, err := Elements(raw(t, bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: bson.ObjectID{}}, {Key: "rev", Value: 0}, {Key: "name", Value: "n"}}}}))
	require.NoError(t, err)
	out := ModelInsert(ops, "rev")
	assert.Equal(t, `{"name": "n"}`, out[0].Value.(bson.RawValue).Document().String())
	id := bson.NewObjectID()
	ops, err = Elements(raw(t, bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: id}}}}))
	require.NoError(t, err)
	assert.Equal(t, ops, ModelInsert(ops, "rev"), "a real _id stays")
	ops, err = Elements(raw(t, bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "rev", Value: 1}}}, {Key: "$set", Value: bson.D{{Key: "a", Value: 1}}}}))
	require.NoError(t, err)
	assert.Equal(t, ops, ModelInsert(ops, "rev"), "not an insert-only update")
}

// A replacement sets what the document holds and unsets the owned fields
// it leaves out; a whole one, for a model with an inline map, is the
// document itself.
func TestNewReplacement(t *testing.T) {
	id := bson.NewObjectID()
	r, err := NewReplacement(raw(t, bson.D{{Key: "_id", Value: id}, {Key: "a", Value: 1}}), "c", []string{"a", "b"}, false)
	require.NoError(t, err)
	assert.Equal(t, bson.D{{Key: "b", Value: ""}}, r.Unset)
	assert.Nil(t, r.Whole)
	u := r.Update()
	assert.Equal(t, "$set", u[0].Key)
	assert.Equal(t, "$unset", u[1].Key)
	assert.False(t, IsReplacement(u))
	w, err := NewReplacement(raw(t, bson.D{{Key: "_id", Value: id}, {Key: "x", Value: 1}}), "c", nil, true)
	require.NoError(t, err)
	assert.True(t, IsReplacement(w.Update()))
	assert.Equal(t, "_id", w.Update()[0].Key)
	_, err = NewReplacement(raw(t, bson.D{{Key: "a.b", Value: 1}}), "c", nil, false)
	assert.ErrorContains(t, err, `the document's field "a.b" would be read as a path or an operator`)
}
