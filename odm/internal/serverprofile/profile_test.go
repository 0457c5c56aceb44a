package serverprofile

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

type poolCleared struct{}

func (poolCleared) Error() string   { return "connection pool was cleared" }
func (poolCleared) Retryable() bool { return true }

// TestClassify: the replies servers were recorded answering (MongoDB's
// documented codes; FerretDB v2 on DocumentDB as in server-notes.md),
// each with what it means on each server.
func TestClassify(t *testing.T) {
	plain := schema.Index(schema.Asc("a"))
	text := schema.Index(schema.Text("a"))
	cmd := func(code int32, name, msg string) error {
		return &outcome.IndexError{Collection: "c", Op: "createIndexes", Err: mongo.CommandError{Code: code, Name: name, Message: msg}}
	}
	for _, tt := range []struct {
		name    string
		err     error
		spec    schema.IndexSpec
		mongo   Class // on MongoDB (and any server not recognised)
		ferret1 Class
		ferret2 Class
	}{
		// FerretDB v2 on DocumentDB, as recorded.
		{"v2 index collation", cmd(115, "CommandNotSupported", "createIndex.collation is not implemented yet"), plain, ClassUnsupported, ClassUnsupported, ClassUnsupported},
		{"v2 hidden index", cmd(1, "InternalError", "hidden indexes are not supported yet."), plain, ClassOther, ClassOther, ClassUnsupported},
		{"v2 collMod hidden", cmd(1, "InternalError", "'collMod.index.hidden' is not supported yet."), plain, ClassOther, ClassOther, ClassUnsupported},
		{"v2 collMod TTL on a non-TTL index", cmd(72, "InvalidOptions", "no expireAfterSeconds field to update"), plain, ClassUnsupported, ClassUnsupported, ClassUnsupported},
		{"v2 collMod prepareUnique", cmd(40415, "UnknownBsonField", "BSON field 'collMod.index.prepareUnique' is an unknown field."), plain, ClassUnsupported, ClassUnsupported, ClassUnsupported},
		{"v2 unique over duplicates", cmd(1, "InternalError", `could not create exclusion constraint "documents_rum_index_3"`), plain, ClassOther, ClassOther, ClassDuplicates},
		{"v2 deadlock", cmd(1, "InternalError", "deadlock detected"), plain, ClassOther, ClassOther, ClassTransient},
		{"other InternalError", cmd(1, "InternalError", "disk full"), plain, ClassOther, ClassOther, ClassOther},
		{"other InvalidOptions", cmd(72, "InvalidOptions", "bad option"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		// MongoDB's documented codes, the same on every server.
		{"duplicate key", cmd(11000, "DuplicateKey", "E11000 duplicate key error collection: db.c index: a_1 dup key: { a: 1 }"), plain, ClassDuplicates, ClassDuplicates, ClassDuplicates},
		{"not implemented", cmd(238, "NotImplemented", "x"), plain, ClassUnsupported, ClassUnsupported, ClassUnsupported},
		{"command not found", cmd(59, "CommandNotFound", "no such command: 'collMod'"), plain, ClassUnsupported, ClassUnsupported, ClassUnsupported},
		{"cannot create index", cmd(67, "CannotCreateIndex", "x"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"invalid index spec option", cmd(197, "InvalidIndexSpecOption", "x"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"index options conflict", cmd(85, "IndexOptionsConflict", "x"), plain, ClassConflict, ClassConflict, ClassConflict},
		{"index key specs conflict", cmd(86, "IndexKeySpecsConflict", "x"), plain, ClassConflict, ClassConflict, ClassConflict},
		{"index not found", cmd(27, "IndexNotFound", "index not found with name [a_1]"), plain, ClassGone, ClassGone, ClassGone},
		// FerretDB v1 answers IndexNotFound to a key type it lacks.
		{"v1 build race", cmd(1, "InternalError", "[registry.go:498 metadata.(*Registry).indexesCreate] SQL logic error: index items_3a79338f_by_a already exists (1)"), plain, ClassOther, ClassTransient, ClassOther},
		{"v1 unique over duplicates", cmd(1, "InternalError", "[registry.go:498 metadata.(*Registry).indexesCreate] constraint failed: UNIQUE constraint failed: index 'items_3a79338f_by_a' (2067)"), plain, ClassOther, ClassDuplicates, ClassOther},
		{"v1 unknown key type", cmd(27, "IndexNotFound", "x"), text, ClassGone, ClassUnsupported, ClassGone},
		{"build already in progress", cmd(285, "IndexBuildAlreadyInProgress", "x"), plain, ClassTransient, ClassTransient, ClassTransient},
		{"build aborted", cmd(276, "IndexBuildAborted", "x"), plain, ClassTransient, ClassTransient, ClassTransient},
		{"not primary", cmd(10107, "NotWritablePrimary", "x"), plain, ClassTransient, ClassTransient, ClassTransient},
		{"stepped down", mongo.CommandError{Code: 91, Labels: []string{"RetryableWriteError"}}, plain, ClassTransient, ClassTransient, ClassTransient},
		{"network", mongo.CommandError{Code: 6, Labels: []string{"NetworkError"}}, plain, ClassTransient, ClassTransient, ClassTransient},
		{"pool cleared", fmt.Errorf("wrapped: %w", poolCleared{}), plain, ClassTransient, ClassTransient, ClassTransient},
		{"not a server reply", errors.New("boom"), plain, ClassOther, ClassOther, ClassOther},
		// Refusals of the declaration itself: never a missing feature
		// (testdata/index-rules.md). mongod's documented messages first.
		{"mongod two index plugins", cmd(67, "CannotCreateIndex", "Error in specification { key: { a: \"text\", b: \"2dsphere\" }, name: \"x\" } :: caused by :: Can't use more than one index plugin for a single index."), text, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod partial $ne", cmd(67, "CannotCreateIndex", "unsupported expression in partial index: a $ne 1"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod too many indexes", cmd(67, "CannotCreateIndex", "add index fails, too many indexes for db.c key:{ a: 1 }"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod TTL on capped", cmd(72, "InvalidOptions", "TTL indexes are not supported for capped collections."), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod unique on time series", cmd(72, "InvalidOptions", "Unique indexes are not supported on time-series collections"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod unknown index option", cmd(197, "InvalidIndexSpecificationOption", "The field 'expireAfter' is not valid for an index specification"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod 2d bits", cmd(72, "InvalidOptions", "bits for hash must be > 0 and <= 32, but 40 bits were specified"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod index named *", cmd(2, "BadValue", "The index name '*' is not valid"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod two 2d keys", cmd(16800, "Location16800", "can't have 2 geo fields"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod hashed unique", cmd(16764, "Location16764", "Currently hashed indexes cannot guarantee uniqueness. Use a regular index"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"mongod command not supported", cmd(115, "CommandNotSupported", "createIndexes is not supported on a view"), plain, ClassUnsupported, ClassUnsupported, ClassUnsupported},
		// FerretDB v2 on DocumentDB, recorded for issue 17 (odm/testdata/index-rules.md).
		{"v2 text+2dsphere", cmd(67, "CannotCreateIndex", "Error in specification { \"key\" : { \"a\" : \"text\", \"b\" : \"2dsphere\" }, \"name\" : \"probe\" } :: caused by :: Can't use more than one index plugin for a single index."), text, ClassInvalid, ClassInvalid, ClassInvalid},
		{"v2 unique wildcard", cmd(9, "FailedToParse", "Index type 'wildcard' does not support the unique option"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"v2 TTL wildcard", cmd(197, "InvalidIndexSpecificationOption", "The field 'expireAfterSeconds' is not valid for an _id index specification."), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"v2 2d bits", cmd(72, "InvalidOptions", "bits for hash must be > 0 and <= 32, but 40 bits were specified"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
		{"v2 default_language", cmd(67, "CannotCreateIndex", "unsupported language: \"klingon\" for text index version 3"), text, ClassInvalid, ClassInvalid, ClassInvalid},
		{"v2 33 keys", cmd(1, "InternalError", "cannot use more than 32 columns in an index"), plain, ClassOther, ClassOther, ClassOther},
		// FerretDB v1, recorded for issue 17: a lack is 238, or 27 for a key type.
		{"v1 partial filter", cmd(238, "NotImplemented", "Index option \"partialFilterExpression\" is not implemented yet"), plain, ClassUnsupported, ClassUnsupported, ClassUnsupported},
		{"v1 text key", cmd(27, "IndexNotFound", "can't find index with key: { a: \"text\" }"), text, ClassGone, ClassUnsupported, ClassGone},
		{"v1 empty index name", cmd(67, "CannotCreateIndex", "index name cannot be empty"), plain, ClassInvalid, ClassInvalid, ClassInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.mongo, MongoDB.Classify(tt.err, &tt.spec), "MongoDB")
			assert.Equal(t, tt.ferret1, FerretV1.Classify(tt.err, &tt.spec), "FerretDB v1")
			assert.Equal(t, tt.ferret2, FerretV2.Classify(tt.err, &tt.spec), "FerretDB v2")
		})
	}
}

// TestProfileFromBuildInfo: FerretDB v2 is known by its "ferretdb"
// document, v1 by "ferretdbVersion"; anything else is MongoDB.
func TestProfileFromBuildInfo(t *testing.T) {
	for _, tt := range []struct {
		info       string
		want       *Profile
		wantName   string
		unkeptColl []string
	}{
		{`{"version": "7.0.77", "gitVersion": "x", "ferretdb": {"version": "v2.5.0", "package": "deb"}, "ok": 1}`, FerretV2, "FerretDB v2 (v2.5.0)",
			[]string{"capped", "size", "max", "timeseries", "expireAfterSeconds", "clusteredIndex", "collation"}},
		{`{"version": "7.0.42", "ferretdbVersion": "v1.24.0", "ok": 1}`, FerretV1, "FerretDB v1 (v1.24.0)", []string{"clusteredIndex", "changeStreamPreAndPostImages"}},
		{`{"version": "8.0.4", "gitVersion": "x", "ok": 1}`, MongoDB, "MongoDB (8.0.4)", nil},
		{`{"version": "7.0.42", "ferretdbVersion": "unknown", "ok": 1}`, FerretV1, "FerretDB v1", []string{"clusteredIndex", "changeStreamPreAndPostImages"}},
	} {
		var raw bson.Raw
		require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.info), false, &raw))
		p := FromBuildInfo(raw)
		assert.Equal(t, tt.wantName, p.Name)
		assert.Equal(t, tt.want.replies, p.replies, tt.wantName)
		assert.Equal(t, tt.unkeptColl, p.UnkeptCollection, tt.wantName)
	}
}

// TestRefusedSchemaKeywords: the keywords a profile says its server cannot
// evaluate are found at every depth of a schema, and property names are
// not taken for keywords.
func TestRefusedSchemaKeywords(t *testing.T) {
	v2 := FerretV2
	tests := []struct {
		name   string
		schema any
		want   []string
	}{
		{"all understood", bson.D{{Key: "bsonType", Value: "object"}, {Key: "properties", Value: bson.D{
			{Key: "n", Value: bson.D{{Key: "bsonType", Value: bson.A{"int", "null"}}, {Key: "minimum", Value: 1}}},
			{Key: "l", Value: bson.D{{Key: "items", Value: bson.D{{Key: "pattern", Value: "^a"}}}}},
		}}}, nil},
		{"required at the top", bson.D{{Key: "required", Value: bson.A{"a"}}}, []string{"required"}},
		{"enum in a property", bson.D{{Key: "properties", Value: bson.D{{Key: "s", Value: bson.D{{Key: "enum", Value: bson.A{"a"}}}}}}}, []string{"enum"}},
		{"a property named like a keyword", bson.D{{Key: "properties", Value: bson.D{{Key: "required", Value: bson.D{{Key: "bsonType", Value: "bool"}}}}}}, nil},
		{"in items, an array of schemas", bson.D{{Key: "properties", Value: bson.D{{Key: "l", Value: bson.D{{Key: "items", Value: bson.A{bson.D{{Key: "anyOf", Value: bson.A{}}}}}}}}}}, []string{"anyOf"}},
		{"each keyword once, in order", bson.M{"title": "t", "properties": bson.M{"a": bson.M{"title": "a"}}}, []string{"title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, v2.RefusedSchemaKeywords(tt.schema))
			assert.Nil(t, MongoDB.RefusedSchemaKeywords(tt.schema), "MongoDB evaluates them all")
		})
	}
}
