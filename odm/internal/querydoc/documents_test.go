package querydoc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

type sortDoc struct{ d bson.D }

func (s sortDoc) Document() (bson.D, error) { return s.d, nil }

// A map's keys come in sorted order, so that its shape and its keyset
// order do not depend on Go's map order; a struct goes through its BSON
// form.
func TestAsD(t *testing.T) {
	d, err := AsD(bson.M{"b": 1, "a": 2, "c": 3})
	require.NoError(t, err)
	assert.Equal(t, bson.D{{Key: "a", Value: 2}, {Key: "b", Value: 1}, {Key: "c", Value: 3}}, d)
	d, err = AsD(struct {
		Z int `bson:"z"`
		A int `bson:"a"`
	}{1, 2})
	require.NoError(t, err)
	assert.Equal(t, bson.D{{Key: "z", Value: int32(1)}, {Key: "a", Value: int32(2)}}, d)
	_, err = AsD(42)
	assert.ErrorContains(t, err, "int is not a document")
}

func TestIsNilAndNoEmptySort(t *testing.T) {
	var nilD bson.D
	var nilM map[string]any
	var nilPtr *struct{}
	for _, v := range []any{nil, nilD, nilM, nilPtr, bson.Raw(nil)} {
		assert.True(t, IsNil(v), "%T", v)
		assert.Nil(t, NoEmptySort(v), "%T", v)
	}
	for _, v := range []any{bson.D{}, bson.M{}, sortDoc{}} {
		assert.False(t, IsNil(v), "%T", v)
		assert.Nil(t, NoEmptySort(v), "an empty %T orders by nothing", v)
	}
	keys := sortDoc{d: bson.D{{Key: "a", Value: 1}}}
	assert.Equal(t, keys, NoEmptySort(keys))
}

func TestNumberAndOperators(t *testing.T) {
	for _, v := range []any{int8(-1), uint16(2), int64(3), float32(0.5), 1.5} {
		_, ok := Number(v)
		assert.True(t, ok, "%T", v)
	}
	n, ok := Number(int32(-1))
	assert.True(t, ok)
	assert.Equal(t, -1.0, n)
	_, ok = Number("1")
	assert.False(t, ok)

	assert.True(t, IsOperatorDocument(bson.D{{Key: "$gt", Value: 1}}))
	assert.False(t, IsOperatorDocument(bson.D{{Key: "a", Value: 1}, {Key: "$gt", Value: 1}}), "the first key decides")
	raw, err := bson.Marshal(bson.D{{Key: "$in", Value: bson.A{1}}})
	require.NoError(t, err)
	assert.True(t, IsOperatorDocument(bson.Raw(raw)))
	assert.False(t, IsOperatorDocument(bson.D{}))
	assert.Equal(t, "a.b", JoinPath("a", "b"))
	assert.Equal(t, "b", JoinPath("", "b"))
}
