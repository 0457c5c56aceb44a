package odm_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// fragile's SetDefaults derives a field from one it takes for set, as real
// ones do: on a document without a name, the empty one an upsert builds
// its $setOnInsert from included, it panics.
type fragile struct {
	ID      bson.ObjectID `bson:"_id"` // no omitempty: the repository sets new ids
	Name    string        `bson:"name"`
	Initial string        `bson:"initial"`
	Age     int           `bson:"age"`
}

func (fragile) CollectionName() string { return "fragile" }

func (f *fragile) SetDefaults() { f.Initial = f.Name[:1] }

// TestSetDefaultsPanicIsAnError: every write that calls SetDefaults turns
// its panic into an error naming the write, the collection, the Go type,
// SetDefaults and the panic's value (a *PanicError wrapping the runtime
// error), and sends nothing.
func TestSetDefaultsPanicIsAnError(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	repo, err := odm.NewCollection[fragile](db)
	require.NoError(t, err)
	stored, err := repo.InsertOne(ctx, &fragile{Name: "ada", Age: 36})
	require.NoError(t, err)
	id := stored.InsertedID
	byName := bson.D{{Key: "name", Value: "grace"}}
	setAge := bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 45}}}}
	upsert := options.UpdateOne().SetUpsert(true)
	writes := []struct {
		name, op string
		write    func() error
	}{
		{"InsertOne", "insert", func() error { _, err := repo.InsertOne(ctx, &fragile{}); return err }},
		{"InsertMany", "insert", func() error {
			docs := []fragile{{Name: "grace"}, {}}
			_, err := repo.InsertMany(ctx, docs)
			assert.True(t, docs[0].ID.IsZero(), "the id given to the document before is put back")
			return err
		}},
		{"ReplaceOne", "replace", func() error { _, err := repo.ReplaceOne(ctx, byName, &fragile{}); return err }},
		{"ReplaceOne upsert", "replace", func() error {
			_, err := repo.ReplaceOne(ctx, byName, &fragile{}, options.Replace().SetUpsert(true))
			return err
		}},
		{"ReplaceByID", "replace", func() error { _, err := repo.ReplaceByID(ctx, &fragile{ID: id.(bson.ObjectID)}); return err }},
		{"FindOneAndReplace", "replace", func() error { _, err := repo.FindOneAndReplace(ctx, byName, &fragile{}); return err }},
		{"UpdateOne upsert", "update", func() error { _, err := repo.UpdateOne(ctx, byName, setAge, upsert); return err }},
		{"UpdateByID upsert", "update", func() error { _, err := repo.UpdateByID(ctx, bson.NewObjectID(), setAge, upsert); return err }},
		{"UpdateMany upsert", "update", func() error {
			_, err := repo.UpdateMany(ctx, byName, setAge, options.UpdateMany().SetUpsert(true))
			return err
		}},
		{"FindOneAndUpdate upsert", "update", func() error {
			_, err := repo.FindOneAndUpdate(ctx, byName, setAge, options.FindOneAndUpdate().SetUpsert(true))
			return err
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			rec.Reset()
			var err error
			require.NotPanics(t, func() { err = w.write() })
			require.Error(t, err)
			assert.ErrorContains(t, err, "odm: "+w.op+" on fragile: ")
			assert.ErrorContains(t, err, "odm_test.fragile.SetDefaults panicked: runtime error: slice bounds out of range")
			var pe *outcome.PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "SetDefaults", pe.Func)
			assert.Equal(t, "odm_test.fragile", pe.GoType)
			var re runtime.Error
			assert.ErrorAs(t, err, &re, "the runtime error is reached")
			assert.Empty(t, rec.Commands("insert", "update", "findAndModify"), "nothing was sent")
		})
	}
	n, err := repo.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "nothing was written")
	ada, err := repo.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, fragile{ID: id.(bson.ObjectID), Name: "ada", Initial: "a", Age: 36}, *ada, "left as stored")
}
