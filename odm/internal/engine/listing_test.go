package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
)

// listIndexesLike answers what listIndexes answers, whatever last holds,
// and shares last's documents where they are equal: all of last when the
// listing is the same, its start when an index went away, and a copy from
// the first document that differs.
func TestListIndexesLikeSharesWhatIsEqual(t *testing.T) {
	ctx := context.Background()
	coll := testrig.Database(t, testrig.Client()).Collection("like")
	_, err := coll.Indexes().CreateMany(ctx, []mongo.IndexModel{{Keys: bson.D{{Key: "a", Value: 1}}}, {Keys: bson.D{{Key: "b", Value: 1}}}})
	require.NoError(t, err)
	listed, err := listIndexes(ctx, coll)
	require.NoError(t, err)
	require.Len(t, listed, 3) // _id_, a_1, b_1

	otherDoc, err := bson.Marshal(bson.D{{Key: "v", Value: 2}, {Key: "key", Value: bson.D{{Key: "c", Value: 1}}}, {Key: "name", Value: "c_1"}})
	require.NoError(t, err)

	tests := []struct {
		name   string
		last   []bson.Raw
		shared int // leading documents of the answer that are last's own
	}{
		{"nothing compared yet", nil, 0},
		{"the same listing", listed, 3},
		{"an index more than last", listed[:2], 2},
		{"an index fewer than last", append(append([]bson.Raw{}, listed...), otherDoc), 3},
		{"a document differs", []bson.Raw{listed[0], otherDoc, listed[2]}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := listIndexesLike(ctx, coll, tc.last)
			require.NoError(t, err)
			require.Equal(t, len(listed), len(got))
			for i := range got {
				assert.Equal(t, listed[i], got[i], "document %d", i)
				if i < len(tc.last) {
					assert.Equal(t, i < tc.shared, &got[i][0] == &tc.last[i][0], "document %d is last's own", i)
				}
			}
		})
	}

	missing, err := listIndexesLike(ctx, coll.Database().Collection("like_missing"), listed)
	require.NoError(t, err)
	assert.Empty(t, missing, "a missing collection lists nothing")
}
