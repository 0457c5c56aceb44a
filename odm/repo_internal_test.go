package odm

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// TestDuplicateErrorTypes: a server error in a storage engine's words
// becomes a DuplicateKeyError with code 11000 in its chain, the original
// still reachable; other errors are left alone.
func TestDuplicateErrorTypes(t *testing.T) {
	sqlite := mongo.CommandError{Code: 1, Name: "InternalError", Message: "constraint failed: UNIQUE constraint failed: index 'c_01234567_email_1' (2067)"}
	dup := duplicateError("c", sqlite)
	require.NotNil(t, dup)
	assert.Equal(t, "email_1", dup.Index)
	assert.True(t, mongo.IsDuplicateKeyError(dup))
	var original mongo.CommandError
	require.True(t, errors.As(dup.Err.(mongo.CommandError).Wrapped, &original))
	assert.Equal(t, int32(1), original.Code)

	// FerretDB v2 on DocumentDB answers updates, replaces and
	// find-and-modify with the PostgreSQL exclusion constraint behind the
	// unique index, which is not the index's name.
	exclusion := `conflicting key value violates exclusion constraint "documents_rum_index_1422"`
	for name, err := range map[string]error{
		"v2 command error": mongo.CommandError{Code: 1, Name: "InternalError", Message: exclusion},
		"v2 write error":   mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 1, Message: exclusion}}},
	} {
		d := duplicateError("c", err)
		require.NotNil(t, d, name)
		assert.Empty(t, d.Index, "%s: the message names no index", name)
		assert.True(t, mongo.IsDuplicateKeyError(d), name)
		assert.True(t, isDuplicate(err), name)
		assert.Equal(t, err, d.Err.(mongo.CommandError).Wrapped, "%s: the server's error is kept", name)
	}
	assert.Nil(t, duplicateError("c", mongo.CommandError{Code: 1, Name: "InternalError", Message: `could not create exclusion constraint "documents_rum_index_3"`}),
		"an index build over duplicates is not a write's duplicate")

	// MongoDB's duplicate key codes, wherever the driver's error holds them.
	mongoDups := map[string]error{
		"11000 write error":         mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 11000, Message: "E11000 duplicate key error collection: app.c index: email_1 dup key: { email: \"a\" }"}}},
		"11001 write error":         mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 11001, Message: "E11001 duplicate key on update"}}},
		"12582 write error":         mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 12582, Message: "duplicate key insert for unique index of capped collection"}}},
		"11000 write concern error": mongo.WriteException{WriteConcernError: &mongo.WriteConcernError{Code: 11000, Message: "E11000 duplicate key error collection: app.c index: email_1 dup key"}},
		"11000 bulk write error":    mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{{WriteError: mongo.WriteError{Index: 1, Code: 11000, Message: "E11000 duplicate key error collection: app.c index: email_1 dup key"}}}},
		"11000 command error":       mongo.CommandError{Code: 11000, Message: "E11000 duplicate key error collection: app.c"},
	}
	for name, err := range mongoDups {
		d := duplicateError("c", err)
		require.NotNil(t, d, name)
		assert.Equal(t, err, d.Err, "%s: the driver's error is kept as it is", name)
		assert.True(t, isDuplicate(err), name)
		if strings.Contains(err.Error(), "index: email_1") {
			assert.Equal(t, "email_1", d.Index, name)
		}
	}

	assert.Nil(t, duplicateError("c", mongo.CommandError{Code: 2, Message: "BadValue"}))
	assert.Nil(t, duplicateError("c", errors.New("UNIQUE constraint failed, but not from a server")))
	assert.Nil(t, duplicateError("c", nil))
}

func TestUUID(t *testing.T) {
	u := schema.NewUUID()
	assert.Equal(t, byte(0x40), u[6]&0xf0, "version 4")
	assert.Equal(t, byte(0x80), u[8]&0xc0, "RFC 4122 variant")
	assert.NotEqual(t, u, schema.NewUUID())

	parsed, err := schema.ParseUUID(u.String())
	require.NoError(t, err)
	assert.Equal(t, u, parsed)
	for _, bad := range []string{"", "not-a-uuid", "0123456789abcdef0123456789abcdef0123", "0123456z-89ab-cdef-0123-456789abcdef"} {
		_, err := schema.ParseUUID(bad)
		assert.Error(t, err, bad)
	}

	type holder struct {
		U schema.UUID `bson:"u"`
	}
	raw, err := bson.Marshal(holder{U: u})
	require.NoError(t, err)
	sub, data := bson.Raw(raw).Lookup("u").Binary()
	assert.Equal(t, bson.TypeBinaryUUID, sub)
	assert.Equal(t, u[:], data)
	var back holder
	require.NoError(t, bson.Unmarshal(raw, &back))
	assert.Equal(t, u, back.U)

	raw, err = bson.Marshal(holder{})
	require.NoError(t, err)
	assert.Equal(t, bson.TypeNull, bson.Raw(raw).Lookup("u").Type, "zero is stored as null")
	for _, doc := range []bson.D{{}, {{Key: "u", Value: nil}}} {
		raw, err := bson.Marshal(doc)
		require.NoError(t, err)
		back := holder{U: u}
		require.NoError(t, bson.Unmarshal(raw, &back))
		if len(doc) > 0 {
			assert.True(t, back.U.IsZero(), "null reads as zero")
		}
	}
	for _, bad := range []any{bson.Binary{Subtype: 3, Data: u[:]}, bson.Binary{Subtype: 4, Data: u[:8]}, "a string"} {
		raw, err := bson.Marshal(bson.D{{Key: "u", Value: bad}})
		require.NoError(t, err)
		assert.Error(t, bson.Unmarshal(raw, &holder{}), "%v", bad)
	}
}

// TestRejectedWriteReplies: a validator's refusal is MongoDB's 121 on
// every server, or a server's own code with MongoDB's words (FerretDB v2
// on DocumentDB answers 525074461, "Document failed validation").
func TestRejectedWriteReplies(t *testing.T) {
	v2 := mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 525074461, Message: "Document failed validation"}}}
	code, msg, ok := servererr.WriteError(v2)
	require.True(t, ok)
	assert.True(t, serverprofile.RejectedWrite(int32(code), msg))
	assert.False(t, serverprofile.RejectedWrite(525074461, "something else"))
	assert.False(t, serverprofile.RejectedWrite(1, "Document failed validation"), "the words alone are not enough")

	bulk := mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{{WriteError: mongo.WriteError{Code: 121, Message: "Document failed validation"}}}}
	code, _, ok = servererr.WriteError(bulk)
	require.True(t, ok)
	assert.Equal(t, servererr.CodeDocumentValidationFailure, code)
	_, _, ok = servererr.WriteError(errors.New("not a server's"))
	assert.False(t, ok)
}
