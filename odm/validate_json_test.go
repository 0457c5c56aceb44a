package odm_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
)

// jsonOnly is written for a client with UseJSONStructTags: json tags, no
// bson tags.
type jsonOnly struct {
	ID     bson.ObjectID `json:"_id"`
	UserID string        `json:"userId" odm:"index"`
	Name   string        `json:"name"`
	Secret string        `json:"-"`
}

// jsonAndBSON names its keys for both codecs.
type jsonAndBSON struct {
	ID     bson.ObjectID `json:"id" bson:"_id,omitempty"`
	UserID string        `json:"userId" bson:"user_id" odm:"index"`
}

// A model whose json names differ from the keys the default codec stores
// is refused, naming both keys, so that its indexes never name a key the
// collection's writers do not write; a bson tag settles it.
func TestJSONTaggedModels(t *testing.T) {
	err := odm.Validate(jsonOnly{})
	require.Error(t, err)
	for _, want := range []string{
		`UserID`, `json:"userId" and no bson tag: the driver's default codec stores this field as "userid", and a client with UseJSONStructTags as "userId"`,
		`ID`, `json:"_id" and no bson tag: the driver's default codec stores this field as "id"`,
		`Secret`, `json:"-" and no bson tag`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), `"name"`, "a json name equal to the stored key is fine")
	assert.NoError(t, odm.Validate(jsonAndBSON{}))
}
