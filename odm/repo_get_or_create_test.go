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

// revisionedBare is a revisioned model whose ObjectID _id lacks
// omitempty: its zero value would be stored as ObjectId("000...").
type revisionedBare struct {
	ID    bson.ObjectID `bson:"_id"`
	Email string        `bson:"email"`
	Name  string        `bson:"name"`
	Rev   int64         `bson:"rev" odm:"revision"`
}

// Get-or-create of a revisioned model is one round trip with the model
// value itself under $setOnInsert: its revision (and a zero _id) are left
// to the repository and the server; an existing document is returned as
// stored.
func TestGetOrCreateWithTheModelValue(t *testing.T) {
	ctx := context.Background()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	accounts := odm.MustCollection[account](db)
	bare := odm.MustCollection[revisionedBare](db)
	after := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)

	rec.Reset()
	byEmail := bson.D{{Key: "email", Value: "g@x"}}
	got, err := accounts.FindOneAndUpdate(ctx, byEmail, bson.D{{Key: "$setOnInsert", Value: &account{Email: "g@x", Name: "new", Tags: []string{"t"}}}}, after)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, 1, rec.Count("findAndModify"), "one round trip")
	assert.Equal(t, 1, len(rec.Commands()), "and nothing else")
	assert.Equal(t, int64(1), got.Revision, "the first revision")
	assert.False(t, got.ID.IsZero())
	assert.Equal(t, "new", got.Name)

	again, err := accounts.FindOneAndUpdate(ctx, byEmail, bson.D{{Key: "$setOnInsert", Value: &account{Email: "g@x", Name: "other", Revision: 7}}}, after)
	require.NoError(t, err)
	assert.Equal(t, *got, *again, "the existing document, unchanged")

	fresh, err := bare.FindOneAndUpdate(ctx, byEmail, bson.D{{Key: "$setOnInsert", Value: revisionedBare{Email: "g@x", Name: "bare"}}}, after)
	require.NoError(t, err)
	require.NotNil(t, fresh)
	assert.False(t, fresh.ID.IsZero(), "a zero ObjectID is never stored")
	assert.Equal(t, int64(1), fresh.Rev)

	_, err = accounts.UpdateOne(ctx, byEmail, bson.D{{Key: "$set", Value: bson.D{{Key: "revision", Value: 3}}}})
	assert.ErrorContains(t, err, "revision field, itself", "only $setOnInsert may carry the model's revision")
}
