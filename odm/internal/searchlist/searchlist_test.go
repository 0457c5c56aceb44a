package searchlist

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func raw(t *testing.T, ext string) bson.Raw {
	t.Helper()
	var r bson.Raw
	require.NoError(t, bson.UnmarshalExtJSON([]byte(ext), false, &r))
	return r
}

// TestParse: the type defaults to full text, the message comes from the
// top level or else the first host that gives one, and a listing without
// a name or a malformed one is an error.
func TestParse(t *testing.T) {
	l, err := Parse(raw(t, `{"name": "s", "status": "BUILDING", "queryable": false,
		"latestDefinition": {"mappings": {"dynamic": true}},
		"statusDetail": [{"hostname": "a"}, {"hostname": "b", "stagedIndex": {"message": "staged: out of disk"}}]}`))
	require.NoError(t, err)
	assert.Equal(t, "s", l.Name)
	assert.Equal(t, schema.FullTextSearch, l.Type)
	assert.Equal(t, "BUILDING", l.Status)
	assert.False(t, l.Queryable)
	assert.Equal(t, "staged: out of disk", l.Message)
	assert.True(t, l.Definition.Lookup("mappings", "dynamic").Boolean())

	l, err = Parse(raw(t, `{"name": "v", "type": "vectorSearch", "status": "READY", "queryable": true, "message": "top",
		"statusDetail": [{"mainIndex": {"message": "host"}}]}`))
	require.NoError(t, err)
	assert.Equal(t, schema.SearchIndexType("vectorSearch"), l.Type)
	assert.True(t, l.Queryable)
	assert.Equal(t, "top", l.Message)
	assert.Nil(t, l.Definition)

	_, err = Parse(raw(t, `{"status": "READY"}`))
	assert.ErrorContains(t, err, "has no name")
	_, err = Parse(bson.Raw{1, 2, 3})
	assert.ErrorContains(t, err, "malformed")
}
