package odm_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

type namedNewline struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Name string        `bson:"name"`
}

func (namedNewline) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("name")).Named("name_1\nevents  x  create")}
}

type taggedTab struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Name string        `bson:"name" odm:"index:by\tname"`
}

// An index name holding a control character is refused before any
// command: printed in a plan's table, a newline would forge a row.
func TestIndexNamesWithControlCharactersAreRefused(t *testing.T) {
	for _, m := range []any{namedNewline{}, taggedTab{}} {
		err := odm.Validate(m)
		require.Error(t, err, "%T", m)
		assert.Contains(t, err.Error(), "holds the control character")
	}
	err := odm.Validate(namedNewline{})
	assert.Contains(t, err.Error(), `index name "name_1\nevents  x  create" holds the control character '\n'`)
}
