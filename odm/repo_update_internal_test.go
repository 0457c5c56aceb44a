package odm

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type prepCounter struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Rev   int64         `bson:"rev" odm:"revision"`
	Name  string        `bson:"name"`
	State string        `bson:"state,omitempty"`
	Tags  []string      `bson:"tags"`
}

type prepUUID struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	RevID schema.UUID   `bson:"revision_id" odm:"revision"`
	State string        `bson:"state"`
	Tags  []string      `bson:"tags,omitempty"`
}

type prepPlain struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	State string        `bson:"state,omitempty"`
	Tags  []string      `bson:"tags"`
}

// statePatch is a typed patch, as a service writes for $set.
type statePatch struct {
	State *string  `bson:"state,omitempty"`
	Tags  []string `bson:"tags"`
}

type revPatch struct {
	Rev int64 `bson:"rev"`
}

// offline is a collection of T on a client that never connects:
// prepareUpdate sends nothing.
func offline[T any](t testing.TB) *Collection[T] {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1"))
	require.NoError(t, err)
	c, err := NewCollection[T](client.Database("offline"))
	require.NoError(t, err)
	return c
}

func encoded(t *testing.T, v any) bson.M {
	t.Helper()
	raw, err := bson.Marshal(bson.D{{Key: "u", Value: v}})
	require.NoError(t, err)
	dec := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(raw)))
	dec.DefaultDocumentM()
	var out bson.M
	require.NoError(t, dec.Decode(&out))
	return out["u"].(bson.M)
}

func TestPrepareUpdateRefuses(t *testing.T) {
	counter := offline[prepCounter](t)
	plain := offline[prepPlain](t)
	tests := []struct {
		name   string
		prep   func() error
		reason string
	}{
		{"nil", func() error { _, err := counter.prepareUpdate("update", nil, nil, false); return err }, "the update is nil"},
		{"no operator, bson.M", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.M{"name": "x"}, false)
			return err
		}, `"name" is not one`},
		{"no operator, plain model", func() error {
			_, err := plain.prepareUpdate("update", nil, bson.D{{Key: "tags", Value: bson.A{}}}, false)
			return err
		}, `"tags" is not one`},
		{"operators mixed with a field", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: bson.D{{Key: "a", Value: 1}}}, {Key: "name", Value: "x"}}, false)
			return err
		}, `"name" is not one`},
		{"empty", func() error { _, err := plain.prepareUpdate("update", nil, bson.D{}, false); return err }, "has no operator"},
		{"operator value not a document", func() error {
			_, err := plain.prepareUpdate("update", nil, bson.M{"$inc": 3}, false)
			return err
		}, "value of $inc must be a document"},
		{"$set of the revision, bson.D", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: bson.D{{Key: "rev", Value: 9}}}}, false)
			return err
		}, "writes rev"},
		{"$set of the revision, bson.M", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.M{"$set": bson.M{"name": "a", "rev": 9}}, false)
			return err
		}, "writes rev"},
		{"$set of the revision, a struct", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: revPatch{Rev: 3}}}, false)
			return err
		}, "writes rev"},
		{"$inc of the revision", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.M{"$inc": bson.M{"rev": 1}}, false)
			return err
		}, "writes rev"},
		{"$unset of the revision", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.M{"$unset": bson.M{"rev": ""}}, false)
			return err
		}, "writes rev"},
		{"$rename onto the revision", func() error {
			_, err := counter.prepareUpdate("update", nil, bson.M{"$rename": bson.M{"name": "rev"}}, false)
			return err
		}, "writes rev"},
		{"a pipeline stage setting the revision", func() error {
			_, err := counter.prepareUpdate("update", nil, mongo.Pipeline{{{Key: "$set", Value: bson.D{{Key: "rev", Value: 1}}}}}, false)
			return err
		}, "writes rev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.prep()
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.reason)
		})
	}
}

// TestPrepareUpdateMapOrderDoesNotMatter: a bson.M of a field and an
// operator is refused the same way whatever order the map iterates in.
func TestPrepareUpdateMapOrderDoesNotMatter(t *testing.T) {
	counter := offline[prepCounter](t)
	msgs := map[string]bool{}
	for range 24 {
		_, err := counter.prepareUpdate("update", nil, bson.M{"$set": bson.M{"name": "a"}, "tags": bson.A{}}, false)
		require.Error(t, err)
		msgs[err.Error()] = true
	}
	assert.Len(t, msgs, 1, "one message for one mistake")
}

func TestPrepareUpdateRenews(t *testing.T) {
	counter := offline[prepCounter](t)
	uuids := offline[prepUUID](t)
	plain := offline[prepPlain](t)
	state := "running"

	u, err := counter.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: statePatch{State: &state}}}, false)
	require.NoError(t, err)
	got := encoded(t, u.Doc)
	assert.Equal(t, bson.M{"state": "running", "tags": bson.A{}}, got["$set"], "a typed patch, its nil slice written as []")
	assert.Equal(t, bson.M{"rev": int64(1)}, got["$inc"])
	assert.False(t, u.InsertOnly)

	u, err = uuids.prepareUpdate("update", nil, bson.M{"$set": &statePatch{State: &state}}, false)
	require.NoError(t, err)
	got = encoded(t, u.Doc)
	set := got["$set"].(bson.M)
	assert.Equal(t, "running", set["state"])
	assert.Equal(t, u.Next.(schema.UUID).BSONValue(), set["revision_id"], "the new UUID goes with the patch")

	u, err = counter.prepareUpdate("update", nil, bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "name", Value: "n"}}}}, true)
	require.NoError(t, err)
	got = encoded(t, u.Doc)
	assert.True(t, u.InsertOnly)
	assert.Equal(t, bson.M{"name": "n", "rev": int64(1)}, got["$setOnInsert"], "an insert-only upsert starts the revision on insert only")
	assert.NotContains(t, got, "$inc")

	u, err = plain.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: prepPlain{}}}, false)
	require.NoError(t, err)
	assert.Equal(t, bson.M{"tags": bson.A{}}, encoded(t, u.Doc)["$set"])

	in := bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "a"}}}}
	_, err = counter.prepareUpdate("update", nil, in, false)
	require.NoError(t, err)
	assert.Equal(t, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "a"}}}}, in, "the caller's update is not changed")

	u, err = counter.prepareUpdate("update", nil, mongo.Pipeline{{{Key: "$set", Value: bson.D{{Key: "name", Value: "p"}}}}}, false)
	require.NoError(t, err)
	stages := u.Doc.(bson.A)
	require.Len(t, stages, 2)
	assert.Equal(t, bson.D{{Key: "$set", Value: bson.D{{Key: "rev", Value: bson.D{{Key: "$add", Value: bson.A{bson.D{{Key: "$ifNull", Value: bson.A{"$rev", 0}}}, 1}}}}}}}, stages[1])
}
