package keyset

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The order a page continues is total: _id ends it unless the sort names
// it, and a sort whose key order Go does not keep is refused.
func TestSort(t *testing.T) {
	keys, err := Sort(bson.D{{Key: "score", Value: -1}, {Key: "name", Value: int64(1)}})
	require.NoError(t, err)
	assert.Equal(t, bson.D{{Key: "score", Value: -1}, {Key: "name", Value: 1}, {Key: "_id", Value: 1}}, keys)

	keys, err = Sort(nil)
	require.NoError(t, err)
	assert.Equal(t, bson.D{{Key: "_id", Value: 1}}, keys)

	keys, err = Sort(bson.D{{Key: "_id", Value: -1}})
	require.NoError(t, err)
	assert.Equal(t, bson.D{{Key: "_id", Value: -1}}, keys)

	for msg, sort := range map[string]any{
		"whose order Go does not keep": bson.M{"a": 1, "b": 1},
		"names a twice":                bson.D{{Key: "a", Value: 1}, {Key: "a", Value: -1}},
		"not 1 or -1":                  bson.D{{Key: "a", Value: 2}},
		"orders by no field":           bson.D{{Key: "$natural", Value: 1}},
	} {
		_, err := Sort(sort)
		assert.ErrorContains(t, err, msg)
	}
}

// After a page's last document come those beyond it on the first key, or
// equal there and beyond it on the next, and so on down to _id.
func TestAfter(t *testing.T) {
	last, err := bson.Marshal(bson.D{{Key: "_id", Value: 7}, {Key: "score", Value: 10}})
	require.NoError(t, err)
	cond, err := After(bson.D{{Key: "score", Value: -1}, {Key: "_id", Value: 1}}, last)
	require.NoError(t, err)
	require.Len(t, cond, 1)
	branches := cond[0].Value.(bson.A)
	require.Len(t, branches, 2)
	score := bson.RawValue{Type: bson.TypeInt32, Value: bsoncoreInt32(10)}
	id := bson.RawValue{Type: bson.TypeInt32, Value: bsoncoreInt32(7)}
	assert.Equal(t, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "score", Value: bson.D{{Key: "$lt", Value: score}}}},
		bson.D{{Key: "score", Value: nil}},
	}}}, branches[0])
	assert.Equal(t, bson.D{{Key: "score", Value: score}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}}, branches[1])

	noID, err := bson.Marshal(bson.D{{Key: "score", Value: 1}})
	require.NoError(t, err)
	_, err = After(bson.D{{Key: "_id", Value: 1}}, noID)
	assert.ErrorContains(t, err, "holds no _id")
}

func bsoncoreInt32(v int32) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}
