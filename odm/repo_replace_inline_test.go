package odm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// loose keeps every field it does not declare in an inline map.
type loose struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Name  string        `bson:"name"`
	Extra bson.M        `bson:",inline"`
}

// looseRev is loose with a revision.
type looseRev struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Name  string        `bson:"name"`
	Rev   int64         `bson:"rev" odm:"revision"`
	Extra bson.M        `bson:",inline"`
}

// A replace of a model with an inline map writes what the Go document
// holds: a key deleted from the map is removed, a key added is written.
func TestReplaceWritesTheInlineMapsKeys(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	stored := func(coll string, id bson.ObjectID) bson.M {
		var m bson.M
		require.NoError(t, db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m))
		return m
	}

	plain := odm.MustCollectionIn[loose](db, "loose")
	revs := odm.MustCollectionIn[looseRev](db, "loose_rev")
	for name, replace := range map[string]func(id bson.ObjectID) (bson.M, error){
		"ReplaceByID": func(id bson.ObjectID) (bson.M, error) {
			doc, err := plain.FindByID(ctx, id)
			require.NoError(t, err)
			delete(doc.Extra, "a")
			doc.Extra["c"] = int32(3)
			_, err = plain.ReplaceByID(ctx, doc)
			return stored("loose", id), err
		},
		"FindOneAndReplace": func(id bson.ObjectID) (bson.M, error) {
			doc, err := plain.FindByID(ctx, id)
			require.NoError(t, err)
			delete(doc.Extra, "a")
			doc.Extra["c"] = int32(3)
			before, err := plain.FindOneAndReplace(ctx, bson.D{{Key: "_id", Value: id}}, doc)
			require.NoError(t, err)
			assert.Contains(t, before.Extra, "a", "the document before")
			return stored("loose", id), err
		},
		"ReplaceByID of a revisioned model": func(id bson.ObjectID) (bson.M, error) {
			doc, err := revs.FindByID(ctx, id)
			require.NoError(t, err)
			delete(doc.Extra, "a")
			doc.Extra["c"] = int32(3)
			_, err = revs.ReplaceByID(ctx, doc)
			got := stored("loose_rev", id)
			assert.EqualValues(t, 2, got["rev"], "the revision renewed")
			return got, err
		},
	} {
		t.Run(name, func(t *testing.T) {
			id := bson.NewObjectID()
			coll := "loose"
			if name == "ReplaceByID of a revisioned model" {
				coll = "loose_rev"
			}
			_, err := db.Collection(coll).InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "n"}, {Key: "a", Value: int32(1)}, {Key: "b", Value: int32(2)}, {Key: "rev", Value: int64(1)}})
			require.NoError(t, err)
			got, err := replace(id)
			require.NoError(t, err)
			assert.NotContains(t, got, "a", "the key deleted from the map is removed")
			assert.EqualValues(t, 2, got["b"], "a key the map kept stays")
			assert.EqualValues(t, 3, got["c"], "a key added to the map is written")
			assert.Equal(t, "n", got["name"])
		})
	}

	// An upsert inserts the whole document; another _id is refused.
	fresh := &loose{ID: bson.NewObjectID(), Name: "new", Extra: bson.M{"x": int32(1)}}
	res, err := plain.ReplaceByID(ctx, fresh, options.Replace().SetUpsert(true))
	require.NoError(t, err)
	assert.EqualValues(t, 1, res.UpsertedCount)
	assert.EqualValues(t, 1, stored("loose", fresh.ID)["x"])
	_, err = plain.ReplaceOne(ctx, bson.D{{Key: "_id", Value: fresh.ID}}, &loose{ID: bson.NewObjectID(), Name: "other"})
	require.Error(t, err, "another _id")
	assert.Equal(t, "new", stored("loose", fresh.ID)["name"])
}
