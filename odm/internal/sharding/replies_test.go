package sharding

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func raw(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(d)
	require.NoError(t, err)
	return b
}

func cmdErr(code int32, name, msg string) error {
	return mongo.CommandError{Code: code, Name: name, Message: msg}
}

// TestDetect: the topology from hello and buildInfo as each server
// answers them (sharding-notes §1.1, §5; FerretDB's as recorded).
func TestDetect(t *testing.T) {
	isdbgrid := bson.D{{Key: "isWritablePrimary", Value: true}, {Key: "msg", Value: "isdbgrid"}, {Key: "maxWireVersion", Value: int32(21)}, {Key: "ok", Value: 1.0}}
	replicaSet := bson.D{{Key: "isWritablePrimary", Value: true}, {Key: "setName", Value: "rs0"}, {Key: "ok", Value: 1.0}}
	ferret2Hello := bson.D{{Key: "isWritablePrimary", Value: true}, {Key: "ok", Value: 1.0}} // no msg [recorded]
	mongoInfo := bson.D{{Key: "version", Value: "7.0.14"}, {Key: "gitVersion", Value: "ce59cfc6a3c5e5c067dca0d30697edd68d4f5188"},
		{Key: "modules", Value: bson.A{}}, {Key: "ok", Value: 1.0}}
	docdbInfo := bson.D{{Key: "version", Value: "7.0.0"}, {Key: "versionArray", Value: bson.A{int32(7), int32(0), int32(0), int32(0)}},
		{Key: "bits", Value: int32(64)}, {Key: "maxBsonObjectSize", Value: int32(16777216)}, {Key: "ok", Value: 1.0}}
	ferret2Info := bson.D{{Key: "version", Value: "7.0.77"}, {Key: "ferretdb", Value: bson.D{{Key: "version", Value: "v2.5.0"}}}, {Key: "ok", Value: 1.0}}
	ferret1Info := bson.D{{Key: "version", Value: "7.0.42"}, {Key: "ferretdbVersion", Value: "v1.24.0"}, {Key: "ok", Value: 1.0}}
	tests := []struct {
		name        string
		hello, info bson.D
		want        Server
		documentDB  bool
	}{
		{"mongos", isdbgrid, mongoInfo, Server{Topology: Mongos, Version: "7.0.14", Major: 7}, false},
		{"DocumentDB gateway: isdbgrid without gitVersion", isdbgrid, docdbInfo, Server{Topology: DocumentDBGateway, Version: "7.0.0"}, true},
		{"FerretDB v2", ferret2Hello, ferret2Info, Server{Topology: FerretDB, Version: "v2.5.0", FerretMajor: 2}, true},
		{"FerretDB v1", ferret2Hello, ferret1Info, Server{Topology: FerretDB, Version: "v1.24.0", FerretMajor: 1}, false},
		{"replica set", replicaSet, mongoInfo, Server{Topology: Unsharded, Version: "7.0.14"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Detect(raw(t, tt.hello), raw(t, tt.info))
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.documentDB, got.DocumentDB())
		})
	}
}

// TestClassifyShardReplies: every reply sharding-notes §1.3, §2.1 and §5
// record for shardCollection, with the class Init gives it.
func TestClassifyShardReplies(t *testing.T) {
	tests := []struct {
		code int32
		name string
		msg  string
		want replyClass
	}{
		{23, "AlreadyInitialized", "sharding already enabled for collection accounts.names", replyMismatch},
		{23, "AlreadyInitialized", "sharding already enabled for collection finanzas.facturas with options { _id: \"finanzas.facturas\", lastmodEpoch: ObjectId('5c1a1e0e'), dropped: false, key: { cliente.region: 1.0, condPago: 1.0 }, unique: false, uuid: UUID(\"x\") }", replyMismatch},
		{23, "AlreadyInitialized", `Sharding already enabled for collection rsprobe.c1 with options { "_id": "rsprobe.c1", "dropped" : false, "key" : { "u" : "hashed" }, "unique": false }.`, replyMismatch},
		{117, "ConflictingOperationInProgress", "Another create collection with different arguments is already running for the same namespace", replyBusy},
		{338, "ReshardCollectionInProgress", "reshardCollection is in progress for namespace shop.orders", replyBusy},
		{319, "MovePrimaryInProgress", "movePrimary is in progress for database shop", replyBusy},
		{67, "CannotCreateIndex", "cannot create unique index over { email: 1 } with shard key pattern { tenant: \"hashed\" }", replyDeclaration},
		{67, "CannotCreateIndex", "Error in specification { key: { a: 1 } }", replyOther},
		{59, "CommandNotFound", "no such command: 'shardCollection'", replyUnsupported},
		{72, "InvalidOptions", "Hashed shard keys cannot be declared unique. It's possible to ensure uniqueness on the hashed field by declaring an additional (non-hashed) unique index on the field.", replyDeclaration},
		{72, "InvalidOptions", "can't shard a capped collection", replyDeclaration},
		{72, "InvalidOptions", "can't shard collection 'shop.users' with unique index on { email: 1 } and proposed shard key { tenant: 1 }. Uniqueness can't be maintained unless shard key is a prefix", replyDeclaration},
		{72, "InvalidOptions", "can't shard collection shop.users, { tenant: 1 } index not unique, and unique index explicitly specified", replyDeclaration},
		{72, "InvalidOptions", "Please create an index that starts with the proposed shard key before sharding the collection", replyDeclaration},
		{72, "InvalidOptions", "numInitialChunks cannot be more than either: 8192 * number of shards, or 2048 * max number of shards", replyDeclaration},
		{2, "BadValue", "The collation for shardCollection must be {locale: 'simple'}, but found: { locale: \"fr\" }", replyDeclaration},
		{2, "BadValue", "If no collation was specified, the collection collation must be {locale: 'simple'}, but found: { locale: \"fr\" }", replyDeclaration},
		{20, "IllegalOperation", "can't shard system namespaces", replyDeclaration},
		{5914001, "", "only the time field or meta field can be part of shard key pattern", replyDeclaration},
		{5914000, "", "the time field 'ts' can be only at the end of the shard key pattern", replyDeclaration},
		{13, "Unauthorized", "not authorized on admin to execute command { shardCollection: ... }", replyOther},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.msg[:min(30, len(tt.msg))], func(t *testing.T) {
			assert.Equal(t, tt.want, classify(cmdErr(tt.code, tt.name, tt.msg)))
		})
	}
	assert.Equal(t, replyOther, classify(errors.New("connection reset")))
}

// TestRawReplies: per-shard replies under a mongos's raw (DOCS-12094,
// DOCS-10842, SERVER-48503).
func TestRawReplies(t *testing.T) {
	shardOK := func(before, after int32) bson.D {
		return bson.D{{Key: "numIndexesBefore", Value: before}, {Key: "numIndexesAfter", Value: after}, {Key: "ok", Value: 1.0}}
	}
	notHere := bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(26)}, {Key: "errmsg", Value: "ns does not exist"}}
	cannotCreate := bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(332)}, {Key: "errmsg", Value: "cannot implicitly create collection"}}
	duplicates := bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(11000)}, {Key: "codeName", Value: "DuplicateKey"},
		{Key: "errmsg", Value: "E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: \"a@x\" }"}}
	alreadyExist := bson.D{{Key: "numIndexesBefore", Value: int32(3)}, {Key: "numIndexesAfter", Value: int32(3)},
		{Key: "note", Value: "all indexes already exist"}, {Key: "ok", Value: 1.0}}
	withRaw := func(shards bson.D) bson.Raw {
		return raw(t, bson.D{{Key: "raw", Value: shards}, {Key: "ok", Value: 1.0}})
	}

	t.Run("flat reply", func(t *testing.T) {
		r := raw(t, shardOK(1, 3))
		assert.NoError(t, RawFailure(r))
		assert.True(t, Confirms(r, 2))
		assert.False(t, Confirms(r, 1))
		assert.False(t, Confirms(raw(t, alreadyExist), 0), "a note is no proof")
	})
	t.Run("every shard built", func(t *testing.T) {
		r := withRaw(bson.D{{Key: "shA/h:27018", Value: shardOK(1, 2)}, {Key: "shB/h:27019", Value: shardOK(1, 2)}, {Key: "shC/h:27020", Value: notHere}})
		assert.NoError(t, RawFailure(r), "a shard without the collection is no failure")
		assert.True(t, Confirms(r, 1))
	})
	t.Run("a shard that does not hold the collection only", func(t *testing.T) {
		r := withRaw(bson.D{{Key: "shA", Value: cannotCreate}})
		assert.NoError(t, RawFailure(r))
		assert.False(t, Confirms(r, 1), "no shard gave counts")
	})
	t.Run("one shard already had it", func(t *testing.T) {
		r := withRaw(bson.D{{Key: "shA", Value: shardOK(1, 2)}, {Key: "shB", Value: alreadyExist}})
		assert.False(t, Confirms(r, 1), "a retried or partial fan-out needs a listing")
	})
	t.Run("one shard refused over duplicates", func(t *testing.T) {
		r := withRaw(bson.D{{Key: "shA", Value: shardOK(1, 2)}, {Key: "shB", Value: duplicates}})
		err := RawFailure(r)
		var se *ShardReplyError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "shB", se.Shard)
		var ce mongo.CommandError
		require.ErrorAs(t, err, &ce, "the code reads as the top-level one would")
		assert.EqualValues(t, 11000, ce.Code)
		assert.Contains(t, err.Error(), "dup key")
	})
	t.Run("collMod TTL per shard", func(t *testing.T) {
		r := withRaw(bson.D{{Key: "h:4100", Value: notHere},
			{Key: "h:4200", Value: bson.D{{Key: "expireAfterSeconds_old", Value: int32(500)}, {Key: "expireAfterSeconds_new", Value: int32(700)}, {Key: "ok", Value: 1.0}}}})
		assert.NoError(t, RawFailure(r))
		r = withRaw(bson.D{{Key: "h:4100", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(72)}, {Key: "errmsg", Value: "no expireAfterSeconds field to update"}}}})
		assert.ErrorContains(t, RawFailure(r), "h:4100 answered (72) no expireAfterSeconds field to update")
	})
}

// TestMetadataConsistency reads checkMetadataConsistency's cursor as the
// manual shows it (InconsistentIndex with missingFromShards, and an
// expireAfterSeconds mismatch), leaving other inconsistency types out.
func TestMetadataConsistency(t *testing.T) {
	missing := raw(t, bson.D{{Key: "type", Value: "InconsistentIndex"},
		{Key: "description", Value: "Found an index of a sharded collection that is inconsistent between different shards"},
		{Key: "details", Value: bson.D{{Key: "namespace", Value: "test.authors"}, {Key: "info", Value: bson.D{
			{Key: "missingFromShards", Value: bson.A{"shard-rs1"}}, {Key: "inconsistentProperties", Value: bson.A{}}, {Key: "indexName", Value: "index1"}}}}}})
	ttl := raw(t, bson.D{{Key: "type", Value: "InconsistentIndex"},
		{Key: "details", Value: bson.D{{Key: "namespace", Value: "test.authors"}, {Key: "info", Value: bson.D{
			{Key: "missingFromShards", Value: bson.A{}},
			{Key: "inconsistentProperties", Value: bson.A{bson.D{{Key: "k", Value: "expireAfterSeconds"}, {Key: "v", Value: int64(600)}},
				bson.D{{Key: "k", Value: "expireAfterSeconds"}, {Key: "v", Value: int64(3600)}}}},
			{Key: "indexName", Value: "created_1"}}}}}})
	other := raw(t, bson.D{{Key: "type", Value: "MisplacedCollection"}, {Key: "details", Value: bson.D{}}})
	got := FromMetadataConsistency([]bson.Raw{missing, other, ttl})
	assert.Equal(t, []shard.Drift{
		{Index: "index1", MissingFrom: []string{"shard-rs1"}},
		{Index: "created_1", Properties: []string{"expireAfterSeconds"}},
	}, got)
}

// TestIndexStats groups $indexStats documents, one per index per shard,
// as the manual's pipeline does.
func TestIndexStats(t *testing.T) {
	stat := func(name, shard string, spec bson.D) bson.Raw {
		return raw(t, bson.D{{Key: "name", Value: name}, {Key: "shard", Value: shard}, {Key: "spec", Value: spec}})
	}
	id := bson.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "name", Value: "_id_"}}
	ttl := func(secs any) bson.D {
		return bson.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: bson.D{{Key: "at", Value: int32(1)}}}, {Key: "name", Value: "at_1"}, {Key: "expireAfterSeconds", Value: secs}}
	}
	email := bson.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: bson.D{{Key: "email", Value: int32(1)}}}, {Key: "name", Value: "email_1"}}
	got := FromIndexStats([]bson.Raw{
		stat("_id_", "shA", id), stat("_id_", "shB", id),
		stat("at_1", "shA", ttl(int32(60))), stat("at_1", "shB", ttl(int64(600))),
		stat("email_1", "shA", email),
	})
	assert.Equal(t, []shard.Drift{
		{Index: "at_1", Properties: []string{"expireAfterSeconds"}},
		{Index: "email_1", MissingFrom: []string{"shB"}},
	}, got)
	same := FromIndexStats([]bson.Raw{stat("at_1", "shA", ttl(int32(60))), stat("at_1", "shB", ttl(int64(60)))})
	assert.Empty(t, same, "the same number in another type is no drift")
}
