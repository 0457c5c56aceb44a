package odm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm"
)

// An update that writes a shard key field is refused outside a
// transaction on every update path, as replaces and Modify refuse it,
// before any command; updates of other fields, a $set of the key to the
// value the filter fixes and a $setOnInsert pass.
func TestShardKeyUpdateIsRefusedOutsideATransaction(t *testing.T) {
	ctx := context.Background()
	orders, rec, client := shardRepo[shardedOrder](t)
	doc := &shardedOrder{Tenant: "acme", Total: 1}
	_, err := orders.InsertOne(ctx, doc)
	require.NoError(t, err)
	id := doc.ID
	set := func(k string, v any) bson.D { return bson.D{{Key: "$set", Value: bson.D{{Key: k, Value: v}}}} }
	byID := bson.D{{Key: "_id", Value: id}}

	for _, tc := range []struct {
		name  string
		write func() error
	}{
		{"UpdateByID $set", func() error { _, err := orders.UpdateByID(ctx, id, set("tenant", "globex")); return err }},
		{"UpdateOne $unset", func() error {
			_, err := orders.UpdateOne(ctx, byID, bson.D{{Key: "$unset", Value: bson.D{{Key: "tenant", Value: ""}}}})
			return err
		}},
		{"UpdateOne $rename onto the key", func() error {
			_, err := orders.UpdateOne(ctx, byID, bson.D{{Key: "$rename", Value: bson.D{{Key: "total", Value: "tenant"}}}})
			return err
		}},
		{"UpdateMany $set", func() error { _, err := orders.UpdateMany(ctx, bson.D{}, set("tenant", "globex")); return err }},
		{"FindOneAndUpdate $set", func() error { _, err := orders.FindOneAndUpdate(ctx, byID, set("tenant", "globex")); return err }},
		{"a pipeline's $set", func() error {
			_, err := orders.UpdateOne(ctx, byID, mongo.Pipeline{set("tenant", "globex")})
			return err
		}},
		{"a pipeline's $replaceWith", func() error {
			_, err := orders.UpdateOne(ctx, byID, mongo.Pipeline{{{Key: "$replaceWith", Value: bson.D{{Key: "total", Value: 2}}}}})
			return err
		}},
		{"a $set of another value than the filter's", func() error {
			_, err := orders.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}, set("tenant", "globex"))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.Reset()
			err := tc.write()
			require.ErrorIs(t, err, odm.ErrShardKeyChange)
			assert.Contains(t, err.Error(), "odm: update on sharded_order: the update writes the shard key field(s) [tenant] of odm_test.shardedOrder")
			assert.Zero(t, rec.Count("update")+rec.Count("findAndModify"), "nothing sent")
		})
	}

	_, err = orders.UpdateByID(ctx, id, set("total", 2))
	require.NoError(t, err, "another field")
	_, err = orders.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "tenant", Value: "acme"}, {Key: "total", Value: 3}}}})
	require.NoError(t, err, "the key set to the value the filter fixes")
	_, err = orders.UpdateOne(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "tenant", Value: "initech"}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "tenant", Value: "initech"}, {Key: "total", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
	require.NoError(t, err, "$setOnInsert only inserts")
	stored, err := orders.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, shardedOrder{ID: id, Tenant: "acme", Total: 3}, *stored)

	// In a transaction the update is sent, as the server requires of a key
	// change; whether the server then commits it is the server's.
	sess, err := client.StartSession()
	require.NoError(t, err)
	defer sess.EndSession(ctx)
	require.NoError(t, sess.StartTransaction())
	rec.Reset()
	_, err = orders.UpdateOne(mongo.NewSessionContext(ctx, sess), bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}, set("tenant", "globex"))
	assert.NotErrorIs(t, err, odm.ErrShardKeyChange)
	require.Len(t, rec.Commands("update"), 1, "sent in the transaction")
	_ = sess.AbortTransaction(ctx)
}
