package odm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// Variants whose base asks for an enforced, generated validator: each
// variant's schema requires its own field.

type SBase struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Kind string        `bson:"kind" odm:"discriminator"`
}

func (SBase) CollectionName() string { return "u_enforced" }
func (SBase) Validator() schema.Validator {
	return schema.Validator{Level: schema.LevelStrict, Action: schema.ActionError}
}

type sOne struct {
	SBase `bson:",inline"`
	N     int `bson:"n" odm:"required"`
}

func (sOne) Variant() string { return "one" }

type sTwo struct {
	SBase `bson:",inline"`
	S     string `bson:"s" odm:"required"`
}

func (sTwo) Variant() string { return "two" }

// TestUnionValidatorOnServer: the merged validator a union's variants
// declare accepts what each variant's repository writes and, on a server
// that keeps validators, refuses a document that follows another
// variant's schema than the one its discriminator names.
func TestUnionValidatorOnServer(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	u := odm.NewUnion[testEvent](odm.Variant[sOne](), odm.Variant[sTwo]())
	require.NoError(t, u.Err())
	report, err := odm.Init(ctx, db, u, odm.SkipUnsupported())
	require.NoError(t, err)
	repo, err := odm.NewUnionCollection(db, u)
	require.NoError(t, err)
	_, err = repo.InsertOne(ctx, &sOne{N: 1})
	require.NoError(t, err, "a variant's own document passes")
	_, err = repo.InsertOne(ctx, &sTwo{S: "x"})
	require.NoError(t, err, "a variant's own document passes")
	if !listsValidator(ctx, t, db, "u_enforced") {
		// FerretDB v1 keeps no validator; FerretDB v2 keeps one with anyOf
		// and then refuses every write, so its profile leaves it out.
		t.Skipf("the server keeps no validator for the union (the merged schema is checked without a server in TestUnionMergesValidators); Init's report:\n%v", report)
	}
	raw := db.Collection("u_enforced")
	for _, doc := range []bson.D{
		{{Key: "kind", Value: "one"}, {Key: "s", Value: "x"}},          // two's field under one's name
		{{Key: "kind", Value: "two"}, {Key: "n", Value: int32(1)}},     // one's field under two's name
		{{Key: "kind", Value: "three"}, {Key: "n", Value: int32(1)}},   // no variant's name
		{{Key: "kind", Value: "one"}, {Key: "n", Value: "not an int"}}, // one's field, wrong type
	} {
		_, err := raw.InsertOne(ctx, doc)
		assert.Error(t, err, "refused: %v", doc)
	}
	_, err = raw.InsertOne(ctx, bson.D{{Key: "kind", Value: "one"}, {Key: "n", Value: int32(2)}})
	assert.NoError(t, err, "one's document under one's name passes")
	n, err := raw.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.EqualValues(t, 3, n)
}
