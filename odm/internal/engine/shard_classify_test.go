package engine

import (
	"testing"

	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/outcome"

	"github.com/stretchr/testify/assert"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// TestClassifyShardedIndexReplies: index commands on a sharded cluster.
// A unique index the shard key does not prefix (67 about the key
// pattern) is a refusal of the declaration on every server, never a
// missing feature; a reshard, movePrimary or concurrent DDL in progress
// is transient; a shard's refusal under a mongos's raw reads as that
// shard's reply would at the top level.
func TestClassifyShardedIndexReplies(t *testing.T) {
	unique := schema.IndexSpec{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true}
	cmd := func(code int32, name, msg string) error {
		return &outcome.IndexError{Collection: "c", Op: "createIndexes", Err: mongo.CommandError{Code: code, Name: name, Message: msg}}
	}
	rawErr := func(code int32, msg string) error {
		reply, _ := bson.Marshal(bson.D{{Key: "raw", Value: bson.D{{Key: "shB", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: code}, {Key: "errmsg", Value: msg}}}}}, {Key: "ok", Value: 1.0}})
		return &outcome.IndexError{Collection: "c", Op: "createIndexes", Err: sharding.RawFailure(reply)}
	}
	for _, tt := range []struct {
		name string
		err  error
		want serverprofile.Class
	}{
		{"67 over the key pattern", cmd(67, "CannotCreateIndex", `cannot create unique index over { email: 1 } with shard key pattern { tenant: "hashed" }`), serverprofile.ClassInvalid},
		{"117", cmd(117, "ConflictingOperationInProgress", "Another create collection with different arguments is already running for the same namespace"), serverprofile.ClassTransient},
		{"338", cmd(338, "ReshardCollectionInProgress", "reshardCollection is in progress for namespace x.c"), serverprofile.ClassTransient},
		{"319", cmd(319, "MovePrimaryInProgress", "movePrimary is in progress for database x"), serverprofile.ClassTransient},
		{"a shard's duplicates under raw", rawErr(11000, "E11000 duplicate key error collection: x.c index: email_1"), serverprofile.ClassDuplicates},
		{"a shard's 67 under raw", rawErr(67, `cannot create unique index over { email: 1 } with shard key pattern { tenant: 1 }`), serverprofile.ClassInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range serverprofile.All {
				assert.Equal(t, tt.want, p.Classify(tt.err, &unique), p.Name)
			}
		})
	}
}
