package oracle

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func value(t *testing.T, v any) bson.RawValue {
	t.Helper()
	if v == nil {
		return bson.RawValue{Type: bson.TypeNull}
	}
	typ, data, err := bson.MarshalValue(v)
	require.NoError(t, err)
	return bson.RawValue{Type: typ, Value: data}
}

// The manual's comparison order: MinKey, null, numbers, strings,
// objects, arrays, binary, ObjectId, booleans, dates, timestamps,
// regular expressions, MaxKey; numbers by value across their types.
func TestCompareFollowsTheManualsOrder(t *testing.T) {
	ordered := []any{
		bson.MinKey{}, nil, math.NaN(), int32(-1), 0.5, int64(1), 1.5, "", "A", "a", "ab",
		bson.D{}, bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "b", Value: 0}}, bson.D{{Key: "a", Value: "x"}}, // the value's type, then the key
		bson.A{}, bson.A{1}, bson.A{1, 2}, bson.A{2}, bson.Binary{Data: []byte{1}},
		bson.ObjectID{1}, false, true, time.Unix(0, 0), time.Unix(1, 0), bson.Timestamp{T: 1}, bson.Regex{Pattern: "a"}, bson.MaxKey{},
	}
	for i := range ordered {
		for j := range ordered {
			a, b := value(t, ordered[i]), value(t, ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			assert.Equal(t, want, Compare(a, b), "%v against %v", ordered[i], ordered[j])
		}
	}
	assert.Equal(t, 0, Compare(value(t, int32(2)), value(t, 2.0)), "numbers compare by value")
	assert.Equal(t, 0, Compare(value(t, int64(2)), value(t, int32(2))))
	assert.Equal(t, 0, Compare(Missing, value(t, nil)), "a missing field compares as null")
}

func doc(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	require.NoError(t, err)
	return raw
}

// An array sorts by its least element ascending and its greatest
// descending; a missing field as null.
func TestSortValue(t *testing.T) {
	d := doc(t, bson.D{{Key: "a", Value: bson.A{3, 1, 2}}, {Key: "s", Value: bson.A{bson.D{{Key: "k", Value: 5}}, bson.D{{Key: "k", Value: 4}}}}})
	assert.Equal(t, int32(1), SortValue(d, "a", false).Int32())
	assert.Equal(t, int32(3), SortValue(d, "a", true).Int32())
	assert.Equal(t, int32(4), SortValue(d, "s.k", false).Int32())
	assert.Equal(t, bson.TypeNull, SortValue(d, "b", false).Type)
	docs := []bson.Raw{
		doc(t, bson.D{{Key: "_id", Value: 1}, {Key: "x", Value: "s"}}),
		doc(t, bson.D{{Key: "_id", Value: 2}}),
		doc(t, bson.D{{Key: "_id", Value: 3}, {Key: "x", Value: 2}}),
		doc(t, bson.D{{Key: "_id", Value: 4}, {Key: "x", Value: nil}}),
	}
	Sort(docs, bson.D{{Key: "x", Value: -1}, {Key: "_id", Value: 1}})
	var ids []int32
	for _, d := range docs {
		ids = append(ids, d.Lookup("_id").Int32())
	}
	assert.Equal(t, []int32{1, 3, 2, 4}, ids)
}

// Match reads null, arrays and types as the manual's examples do.
func TestMatch(t *testing.T) {
	d := doc(t, bson.D{{Key: "n", Value: nil}, {Key: "tags", Value: bson.A{"a", "b"}}, {Key: "nums", Value: bson.A{3, 0, 3}}, {Key: "f", Value: int64(2)}})
	for _, tc := range []struct {
		filter bson.D
		want   bool
	}{
		{bson.D{{Key: "n", Value: nil}}, true},
		{bson.D{{Key: "missing", Value: nil}}, true},
		{bson.D{{Key: "n", Value: bson.D{{Key: "$ne", Value: nil}}}}, false},
		{bson.D{{Key: "missing", Value: bson.D{{Key: "$exists", Value: false}}}}, true},
		{bson.D{{Key: "n", Value: bson.D{{Key: "$exists", Value: true}}}}, true},
		{bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: nil}}}}, false},
		{bson.D{{Key: "n", Value: bson.D{{Key: "$gte", Value: nil}}}}, true},
		{bson.D{{Key: "f", Value: 2.0}}, true},
		{bson.D{{Key: "f", Value: bson.D{{Key: "$gt", Value: "a"}}}}, false},
		{bson.D{{Key: "tags", Value: "a"}}, true},
		{bson.D{{Key: "tags", Value: bson.A{"a", "b"}}}, true},
		{bson.D{{Key: "tags", Value: bson.A{"b", "a"}}}, false},
		{bson.D{{Key: "tags", Value: bson.D{{Key: "$nin", Value: bson.A{"c"}}}}}, true},
		{bson.D{{Key: "tags", Value: bson.D{{Key: "$all", Value: bson.A{"b", "a"}}}}}, true},
		{bson.D{{Key: "tags", Value: bson.D{{Key: "$size", Value: 2}}}}, true},
		{bson.D{{Key: "nums", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "$gte", Value: 1}, {Key: "$lt", Value: 3}}}}}}, false},
		{bson.D{{Key: "nums", Value: bson.D{{Key: "$gte", Value: 1}, {Key: "$lt", Value: 3}}}}, true},
		{bson.D{{Key: "tags", Value: bson.D{{Key: "$type", Value: bson.A{int32(bson.TypeString)}}}}}, true},
		{bson.D{{Key: "tags", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$eq", Value: "a"}}}}}}, false},
		{bson.D{{Key: "tags", Value: bson.D{{Key: "$regex", Value: bson.Regex{Pattern: "^B", Options: "i"}}}}}, true},
		{bson.D{{Key: "$nor", Value: bson.A{bson.D{{Key: "f", Value: 2}}}}}, false},
		{bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "f", Value: 3}}, bson.D{{Key: "tags", Value: "b"}}}}}, true},
	} {
		got, err := Match(d, doc(t, tc.filter))
		require.NoError(t, err, "%v", tc.filter)
		assert.Equal(t, tc.want, got, "%v", tc.filter)
	}
	_, err := Match(d, doc(t, bson.D{{Key: "$where", Value: "1"}}))
	assert.ErrorContains(t, err, "the oracle does not read", "an operator it does not know is an error")
}
