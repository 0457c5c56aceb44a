package testrig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestRecognise(t *testing.T) {
	for _, tt := range []struct {
		info  string
		major int
		name  string
	}{
		// FerretDB v2.5.0 on DocumentDB, as recorded.
		{`{"version": "7.0.77", "ferretdb": {"version": "v2.5.0"}, "ok": 1}`, 2, "FerretDB v2.5.0 (wire-compatible with MongoDB 7.0.77)"},
		{`{"version": "7.0.42", "ferretdbVersion": "v1.24.0", "ok": 1}`, 1, "FerretDB v1.24.0 (wire-compatible with MongoDB 7.0.42)"},
		{`{"version": "8.0.4", "ok": 1}`, 0, "MongoDB 8.0.4"},
	} {
		var raw bson.Raw
		require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.info), false, &raw))
		major, name := Recognise(raw)
		assert.Equal(t, tt.major, major)
		assert.Equal(t, tt.name, name)
	}
}

// TestParseIndexDocFollowsMongoDBsEquality: text weights in any order, and
// numbers of any type, are equal; key order is not.
func TestParseIndexDocFollowsMongoDBsEquality(t *testing.T) {
	parse := func(s string) IndexDoc {
		var raw bson.Raw
		require.NoError(t, bson.UnmarshalExtJSON([]byte(s), false, &raw))
		d, err := ParseIndexDoc(raw)
		require.NoError(t, err)
		return d
	}
	mongo := parse(`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "txt", "weights": {"s": 5, "title": 10}, "textIndexVersion": 3}`)
	ferret2 := parse(`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "txt", "weights": {"title": 10.0, "s": 5.0}, "textIndexVersion": 3}`)
	assert.Equal(t, mongo, ferret2)
	assert.NotEqual(t, parse(`{"key": {"a": 1, "b": 1}, "name": "x"}`), parse(`{"key": {"b": 1, "a": 1}, "name": "x"}`))
}
