package odm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

type shardedOrder struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	Tenant string        `bson:"tenant" odm:"shard:hashed"` // hashed: a key every server at hand accepts
	Total  int           `bson:"total"`
}

type shardedOrderRev struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	Region struct {
		Code string `bson:"code"`
	} `bson:"region"`
	Total int   `bson:"total"`
	Rev   int64 `bson:"rev" odm:"revision"`
}

func (shardedOrderRev) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Hashed("region.code"), schema.Asc("_id"))
}

type plainOrder struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	Tenant string        `bson:"tenant"`
	Total  int           `bson:"total"`
}

// shardRepo is a repository of T on a fresh database, after Init, with the
// recorder of what it sends.
func shardRepo[T any](t *testing.T) (*odm.Collection[T], *testrig.Recorder, *mongo.Client) {
	t.Helper()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	var zero T
	_, err := odm.Init(context.Background(), db, zero, odm.SkipUnsupported())
	require.NoError(t, err)
	repo, err := odm.NewCollection[T](db)
	require.NoError(t, err)
	rec.Reset()
	return repo, rec, c
}

// filtersSent are the filters of the recorded single-document writes, in
// order: an update's or a delete's q, a findAndModify's query.
func filtersSent(t *testing.T, rec *testrig.Recorder) []string {
	t.Helper()
	var out []string
	for _, cmd := range rec.Commands("update", "delete", "findAndModify") {
		var q bson.RawValue
		switch cmd.Name {
		case "update":
			q = cmd.Body.Lookup("updates").Array().Index(0).Document().Lookup("q")
		case "delete":
			q = cmd.Body.Lookup("deletes").Array().Index(0).Document().Lookup("q")
		default:
			q = cmd.Body.Lookup("query")
		}
		out = append(out, cmd.Name+" "+q.Document().String())
	}
	return out
}

// asFilter renders d as filtersSent does.
func asFilter(t *testing.T, cmd string, d bson.D) string {
	t.Helper()
	raw, err := bson.Marshal(d)
	require.NoError(t, err)
	return cmd + " " + bson.Raw(raw).String()
}

// TestShardedWritesNameTheKey: the writes of a document a repository
// holds add the model's shard key values to their filter (the document's
// own for a replace, the values read for Modify); writes by id send {_id}
// alone.
func TestShardedWritesNameTheKey(t *testing.T) {
	ctx := context.Background()
	orders, rec, _ := shardRepo[shardedOrder](t)
	doc := &shardedOrder{Tenant: "acme", Total: 1}
	_, err := orders.InsertOne(ctx, doc)
	require.NoError(t, err)
	id := doc.ID

	doc.Total = 2
	rec.Reset()
	res, err := orders.ReplaceByID(ctx, doc)
	require.NoError(t, err)
	assert.EqualValues(t, 1, res.MatchedCount)
	_, err = orders.ReplaceOne(ctx, bson.M{"_id": id}, doc)
	require.NoError(t, err)
	_, err = orders.FindOneAndReplace(ctx, bson.D{{Key: "total", Value: 2}}, doc)
	require.NoError(t, err)
	got, err := orders.Modify(ctx, bson.D{{Key: "_id", Value: id}}, func(o *shardedOrder) error { o.Total = 3; return nil })
	require.NoError(t, err)
	assert.Equal(t, 3, got.Total)
	_, err = orders.UpdateByID(ctx, id, bson.D{{Key: "$set", Value: bson.D{{Key: "total", Value: 4}}}})
	require.NoError(t, err)
	_, err = orders.DeleteByID(ctx, id)
	require.NoError(t, err)
	sent := filtersSent(t, rec)
	require.Len(t, sent, 6)
	// A bson.M filter's fields come in any order.
	assert.Contains(t, []string{asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}),
		asFilter(t, "update", bson.D{{Key: "tenant", Value: "acme"}, {Key: "_id", Value: id}})}, sent[1])
	assert.Equal(t, []string{
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}),
		asFilter(t, "findAndModify", bson.D{{Key: "total", Value: int32(2)}, {Key: "tenant", Value: "acme"}}),
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}, {Key: "total", Value: bson.D{{Key: "$eq", Value: int32(2)}}}}),
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}}),
		asFilter(t, "delete", bson.D{{Key: "_id", Value: id}}),
	}, append(sent[:1:1], sent[2:]...))
}

// TestShardedRevisionedWritesNameTheKey: a compound key with a nested
// field goes into the revision guard's filter, before the revision.
func TestShardedRevisionedWritesNameTheKey(t *testing.T) {
	ctx := context.Background()
	orders, rec, _ := shardRepo[shardedOrderRev](t)
	doc := &shardedOrderRev{Total: 1}
	doc.Region.Code = "eu"
	_, err := orders.InsertOne(ctx, doc)
	require.NoError(t, err)
	id := doc.ID

	rec.Reset()
	doc.Total = 2
	_, err = orders.ReplaceByID(ctx, doc)
	require.NoError(t, err)
	assert.EqualValues(t, 2, doc.Rev)
	_, err = orders.Modify(ctx, bson.D{{Key: "_id", Value: id}}, func(o *shardedOrderRev) error { o.Total = 3; return nil })
	require.NoError(t, err)
	assert.Equal(t, []string{
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "region.code", Value: "eu"}, {Key: "rev", Value: int64(1)}}),
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "region.code", Value: "eu"}, {Key: "rev", Value: int64(2)}}),
	}, filtersSent(t, rec))
	stored, err := orders.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 3, stored.Total)
	assert.EqualValues(t, 3, stored.Rev)
}

// TestUnshardedWritesSendWhatTheyDid: a model without a shard key sends
// the filters it always sent.
func TestUnshardedWritesSendWhatTheyDid(t *testing.T) {
	ctx := context.Background()
	orders, rec, _ := shardRepo[plainOrder](t)
	doc := &plainOrder{Tenant: "acme", Total: 1}
	_, err := orders.InsertOne(ctx, doc)
	require.NoError(t, err)
	id := doc.ID

	rec.Reset()
	_, err = orders.ReplaceByID(ctx, doc)
	require.NoError(t, err)
	_, err = orders.FindOneAndReplace(ctx, bson.D{{Key: "total", Value: 1}}, doc)
	require.NoError(t, err)
	_, err = orders.Modify(ctx, bson.D{{Key: "_id", Value: id}}, func(o *plainOrder) error { o.Total = 3; return nil })
	require.NoError(t, err)
	doc.Tenant = "other" // no key: any field may change
	_, err = orders.ReplaceByID(ctx, doc)
	require.NoError(t, err)
	assert.Equal(t, []string{
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}}),
		asFilter(t, "findAndModify", bson.D{{Key: "total", Value: int32(1)}}),
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "total", Value: bson.D{{Key: "$eq", Value: int32(1)}}}}),
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}}),
	}, filtersSent(t, rec))
	assert.Zero(t, rec.Count("aggregate"), "no read to check a key")
}

// TestShardKeyChangeIsRefusedOutsideATransaction: a replace whose filter
// names other key values than the document's, and a Modify that changes
// them, are refused before any write; a replace of a document stored with
// other values (its key changed in Go since it was read) matches nothing
// and says why. The stored document is left as it was.
func TestShardKeyChangeIsRefusedOutsideATransaction(t *testing.T) {
	ctx := context.Background()
	orders, rec, _ := shardRepo[shardedOrder](t)
	doc := &shardedOrder{Tenant: "acme", Total: 1}
	_, err := orders.InsertOne(ctx, doc)
	require.NoError(t, err)
	id := doc.ID

	rec.Reset()
	moved := *doc
	moved.Tenant = "globex"
	_, err = orders.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}, &moved)
	require.ErrorIs(t, err, odm.ErrShardKeyChange)
	assert.Contains(t, err.Error(), "odm: replace on sharded_order: the write changes the shard key field(s) [tenant] of odm_test.shardedOrder")
	_, err = orders.Modify(ctx, bson.D{{Key: "_id", Value: id}}, func(o *shardedOrder) error { o.Tenant = "globex"; return nil })
	require.ErrorIs(t, err, odm.ErrShardKeyChange)
	assert.Zero(t, rec.Count("update"), "nothing written")

	res, err := orders.ReplaceByID(ctx, &moved)
	require.ErrorIs(t, err, odm.ErrShardKeyChange)
	assert.Nil(t, res)
	assert.Contains(t, err.Error(), "the filter matches a stored document with other shard key values than the document's")
	assert.Equal(t, []string{asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "globex"}})}, filtersSent(t, rec))

	stored, err := orders.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, *doc, *stored)

	// An upsert inserts with the document's key values; nothing to explain.
	rec.Reset()
	fresh := &shardedOrder{ID: bson.NewObjectID(), Tenant: "initech", Total: 5}
	up, err := orders.ReplaceByID(ctx, fresh, options.Replace().SetUpsert(true))
	require.NoError(t, err)
	assert.EqualValues(t, 1, up.UpsertedCount)
	assert.Equal(t, []string{asFilter(t, "update", bson.D{{Key: "_id", Value: fresh.ID}, {Key: "tenant", Value: "initech"}})}, filtersSent(t, rec))
	assert.Zero(t, rec.Count("aggregate"))
}

// TestShardKeyChangeInATransaction: in a transaction, a replace names the
// stored key values (the filter's) and writes the new ones, as the server
// requires of a key change; Modify names the values it read.
func TestShardKeyChangeInATransaction(t *testing.T) {
	ctx := context.Background()
	orders, rec, client := shardRepo[shardedOrder](t)
	doc := &shardedOrder{Tenant: "acme", Total: 1}
	_, err := orders.InsertOne(ctx, doc)
	require.NoError(t, err)
	id := doc.ID

	sess, err := client.StartSession()
	require.NoError(t, err)
	defer sess.EndSession(ctx)
	require.NoError(t, sess.StartTransaction())
	tx := mongo.NewSessionContext(ctx, sess)
	rec.Reset()
	moved := *doc
	moved.Tenant = "globex"
	_, replaceErr := orders.ReplaceOne(tx, bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}, &moved)
	assert.NotErrorIs(t, replaceErr, odm.ErrShardKeyChange)
	updates := rec.Commands("update")
	require.Len(t, updates, 1, "the replace reached the server")
	body := updates[0].Body
	assert.Equal(t, asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "acme"}}), filtersSent(t, rec)[0])
	assert.Equal(t, "globex", body.Lookup("updates").Array().Index(0).Document().Lookup("u", "$set", "tenant").StringValue())
	assert.False(t, body.Lookup("autocommit").Boolean(), "sent in the transaction")
	if replaceErr != nil {
		_ = sess.AbortTransaction(ctx)
		t.Skipf("the server refuses the write in a transaction (sent as checked above): %v", replaceErr)
	}
	_, err = orders.Modify(tx, bson.D{{Key: "_id", Value: id}}, func(o *shardedOrder) error { o.Tenant = "initech"; return nil })
	require.NoError(t, err)
	assert.Equal(t, asFilter(t, "update", bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: "globex"}}), filtersSent(t, rec)[1])
	if err := sess.CommitTransaction(ctx); err != nil {
		var se mongo.ServerError
		require.True(t, errors.As(err, &se) && se.HasErrorCode(59), "%v", err)
		t.Skipf("the server has no transactions to commit (the writes were sent as checked above): %v", err)
	}
	stored, err := orders.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "initech", stored.Tenant)
}

type shardedByID struct {
	ID    bson.ObjectID `bson:"_id" odm:"shard:hashed"`
	Total int           `bson:"total"`
}

// TestShardKeyOnIDWithoutAnID: a key on _id adds the document's _id to the
// filter; a document without one yet (a zero ObjectID, never stored) adds
// nothing, and a document whose _id differs from the one the filter names
// is refused by the server (ImmutableField), as MongoDB refuses such a
// replace, changing nothing.
func TestShardKeyOnIDWithoutAnID(t *testing.T) {
	ctx := context.Background()
	orders, rec, _ := shardRepo[shardedByID](t)
	doc := &shardedByID{Total: 1}
	_, err := orders.InsertOne(ctx, doc)
	require.NoError(t, err)
	id := doc.ID

	rec.Reset()
	res, err := orders.ReplaceOne(ctx, bson.D{{Key: "total", Value: 1}}, &shardedByID{Total: 2})
	require.NoError(t, err)
	assert.EqualValues(t, 1, res.MatchedCount)
	_, err = orders.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, &shardedByID{ID: bson.NewObjectID(), Total: 3})
	var se mongo.ServerError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.HasErrorCode(66), "ImmutableField: %v", err)
	unchanged, err := orders.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 2, unchanged.Total)
	doc.Total = 4
	_, err = orders.ReplaceByID(ctx, doc)
	require.NoError(t, err)
	assert.Equal(t, []string{
		asFilter(t, "update", bson.D{{Key: "total", Value: int32(1)}}),
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}}),
		asFilter(t, "update", bson.D{{Key: "_id", Value: id}}),
	}, filtersSent(t, rec))
	stored, err := orders.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 4, stored.Total)
}

// TestDocumentWritesNameTheShardKeyToo: a bulk replace and Delete, which
// hold a document, add its shard key values to their filter, as
// ReplaceByID does.
func TestDocumentWritesNameTheShardKeyToo(t *testing.T) {
	for _, tc := range []struct {
		name, cmd string
		write     func(context.Context, *odm.Collection[shardedOrder], *shardedOrder) error
	}{
		{"Bulk.ReplaceByID", "update", func(ctx context.Context, c *odm.Collection[shardedOrder], d *shardedOrder) error {
			d.Total = 2
			_, err := c.Bulk().ReplaceByID(d).Run(ctx)
			return err
		}},
		{"Delete", "delete", func(ctx context.Context, c *odm.Collection[shardedOrder], d *shardedOrder) error {
			res, err := c.Delete(ctx, d)
			if err == nil && res.DeletedCount != 1 {
				err = fmt.Errorf("deleted %d", res.DeletedCount)
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			orders, rec, _ := shardRepo[shardedOrder](t)
			doc := &shardedOrder{Tenant: "acme", Total: 1}
			_, err := orders.InsertOne(ctx, doc)
			require.NoError(t, err)
			rec.Reset()
			require.NoError(t, tc.write(ctx, orders, doc))
			assert.Equal(t, []string{asFilter(t, tc.cmd, bson.D{{Key: "_id", Value: doc.ID}, {Key: "tenant", Value: "acme"}})}, filtersSent(t, rec))
		})
	}
}
