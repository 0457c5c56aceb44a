package query_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

// or is {$or: [branches...]}.
func or(branches ...bson.D) bson.E {
	a := bson.A{}
	for _, b := range branches {
		a = append(a, b)
	}
	return bson.E{Key: "$or", Value: a}
}

func greater(v any) bson.D { return bson.D{{Key: "$gt", Value: v}} }

// TestCoverOr: an $or whose every branch an index bounds (with the
// conditions beside the $or) is served by one index scan per branch, as
// MongoDB's planner answers it with an OR plan; a branch no index bounds
// makes it a scan; the sort is given only when every branch's index gives
// it. The filters go through ShapeOf, as the repositories' do.
func TestCoverOr(t *testing.T) {
	a, c := keys("a_1", schema.Asc("a")), keys("c_1", schema.Asc("c"))
	ad, cdDesc := keys("ad", schema.Asc("a"), schema.Asc("d")), keys("cd", schema.Asc("c"), schema.Desc("d"))
	ab, cb := keys("ab", schema.Asc("a"), schema.Asc("b")), keys("cb", schema.Asc("c"), schema.Asc("b"))
	partialB := schema.IndexSpec{Name: "pb", Keys: []schema.IndexKey{schema.Asc("b")}, PartialFilter: bson.D{{Key: "rating", Value: greater(5)}}}
	partialB2 := schema.IndexSpec{Name: "pb2", Keys: []schema.IndexKey{schema.Asc("b")}, PartialFilter: bson.D{
		{Key: "rating", Value: greater(5)}, {Key: "score", Value: bson.D{{Key: "$exists", Value: true}}},
	}}
	cases := []struct {
		name     string
		m        *schema.Model
		filter   bson.D
		sort     bson.D
		index    string   // the single index, "" for none
		branches []string // the index of each branch of an OR plan
		scan     bool
		inMem    bool
		str      string
	}{
		{name: "both branches indexed", m: model(a, c), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})},
			branches: []string{"a_1", "c_1"}, str: "$or: a_1 (1 key) | c_1 (1 key)"},
		{name: "one branch not indexed", m: model(a, c), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "b", Value: 2}})},
			scan: true, str: "collection scan"},
		{name: "a branch on a later key only", m: model(ab, c), filter: bson.D{or(bson.D{{Key: "b", Value: 1}}, bson.D{{Key: "c", Value: 2}})},
			scan: true},
		{name: "an unindexed condition beside", m: model(a, c), filter: bson.D{{Key: "d", Value: 5}, or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})},
			branches: []string{"a_1", "c_1"}},
		{name: "the condition beside bounds an index: that index", m: model(a, c), filter: bson.D{{Key: "a", Value: 5}, or(bson.D{{Key: "b", Value: 1}}, bson.D{{Key: "d", Value: 2}})},
			index: "a_1"},
		{name: "the condition beside pushed into each branch", m: model(ab, cb), filter: bson.D{{Key: "b", Value: 5}, or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})},
			branches: []string{"ab", "cb"}, str: "$or: ab (2 keys) | cb (2 keys)"},
		{name: "ranges in branches", m: model(a, c), filter: bson.D{or(bson.D{{Key: "a", Value: greater(1)}}, bson.D{{Key: "c", Value: bson.D{{Key: "$in", Value: bson.A{1, 2}}}}})},
			branches: []string{"a_1", "c_1"}},
		{name: "_id in every branch", m: model(), filter: bson.D{or(bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}})},
			branches: []string{"_id_", "_id_"}},
		// Sorts: merged when every branch's index gives them.
		{name: "sort given by every branch", m: model(ad, keys("cd+", schema.Asc("c"), schema.Asc("d"))), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})}, sort: bson.D{{Key: "d", Value: 1}},
			branches: []string{"ad", "cd+"}},
		{name: "sort given by every branch, one scanned backwards", m: model(ad, cdDesc), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})}, sort: bson.D{{Key: "d", Value: -1}},
			branches: []string{"ad", "cd"}},
		{name: "sort given by one branch only", m: model(ad, c), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})}, sort: bson.D{{Key: "d", Value: 1}},
			branches: []string{"ad", "c_1"}, inMem: true, str: "$or: ad (1 key) | c_1 (1 key), sort in memory"},
		{name: "sort key fixed beside the $or", m: model(a, c), filter: bson.D{{Key: "d", Value: 5}, or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})}, sort: bson.D{{Key: "d", Value: 1}},
			branches: []string{"a_1", "c_1"}},
		{name: "sort by a field no branch orders", m: model(a, c), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})}, sort: bson.D{{Key: "b", Value: 1}},
			branches: []string{"a_1", "c_1"}, inMem: true},
		// Partial indexes: implied by the conditions beside the $or or
		// by the branch's own, not by the two together.
		{name: "partial implied beside the $or", m: model(a, partialB), filter: bson.D{{Key: "rating", Value: greater(6)}, or(bson.D{{Key: "b", Value: 1}}, bson.D{{Key: "a", Value: 2}})},
			branches: []string{"pb", "a_1"}},
		{name: "partial implied by the branch", m: model(a, partialB), filter: bson.D{or(bson.D{{Key: "b", Value: 1}, {Key: "rating", Value: 7}}, bson.D{{Key: "a", Value: 2}})},
			branches: []string{"pb", "a_1"}},
		{name: "partial not implied by another branch", m: model(a, partialB), filter: bson.D{or(bson.D{{Key: "b", Value: 1}}, bson.D{{Key: "a", Value: 2}, {Key: "rating", Value: 7}})},
			scan: true},
		{name: "partial implied only by both together", m: model(a, partialB2), filter: bson.D{{Key: "rating", Value: greater(6)}, or(bson.D{{Key: "b", Value: 1}, {Key: "score", Value: 3}}, bson.D{{Key: "a", Value: 2}})},
			scan: true},
		{name: "hidden index in a branch", m: model(a, schema.IndexSpec{Name: "h", Keys: []schema.IndexKey{schema.Asc("c")}, Hidden: true}), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})},
			scan: true},
		{name: "collation of a branch's index not the query's", m: model(a, schema.IndexSpec{Name: "cat", Keys: []schema.IndexKey{schema.Asc("category")}, Collation: fr}),
			filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "category", Value: "cafe"}})}, scan: true},
		// What the shape reads of nested and repeated $or.
		{name: "one branch: its conditions", m: model(a), filter: bson.D{or(bson.D{{Key: "a", Value: 1}})}, index: "a_1"},
		{name: "$or of $or: flattened", m: model(a, c), filter: bson.D{or(bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 1}})}, bson.D{{Key: "a", Value: 2}})},
			branches: []string{"a_1", "c_1", "a_1"}},
		{name: "$or inside a branch left out, the branch still bounded", m: model(a, c), filter: bson.D{or(bson.D{{Key: "a", Value: 1}, or(bson.D{{Key: "b", Value: 1}}, bson.D{{Key: "d", Value: 1}})}, bson.D{{Key: "c", Value: 2}})},
			branches: []string{"a_1", "c_1"}},
		{name: "$or inside a branch left out: a scan", m: model(a, c), filter: bson.D{or(bson.D{{Key: "b", Value: 1}, or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 1}})}, bson.D{{Key: "c", Value: 2}})},
			scan: true},
		{name: "$or under $and", m: model(a, c), filter: bson.D{{Key: "$and", Value: bson.A{bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})}, bson.D{{Key: "d", Value: 1}}}}},
			branches: []string{"a_1", "c_1"}},
		{name: "two $or: the first decides", m: model(a, c), filter: bson.D{{Key: "$and", Value: bson.A{
			bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})},
			bson.D{or(bson.D{{Key: "b", Value: 1}}, bson.D{{Key: "d", Value: 2}})},
		}}}, branches: []string{"a_1", "c_1"}},
		{name: "two $or: the second left out, a scan", m: model(a, c), filter: bson.D{{Key: "$and", Value: bson.A{
			bson.D{or(bson.D{{Key: "b", Value: 1}}, bson.D{{Key: "d", Value: 2}})},
			bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}})},
		}}}, scan: true},
		{name: "$nor stays a scan", m: model(a, c), filter: bson.D{{Key: "$nor", Value: bson.A{bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "c", Value: 2}}}}},
			scan: true},
		{name: "a branch of an expression only", m: model(a, c), filter: bson.D{or(bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "$expr", Value: bson.D{{Key: "$eq", Value: bson.A{"$c", 2}}}}})},
			scan: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := query.ShapeOf(tc.filter, tc.sort, nil)
			require.NoError(t, err)
			got := query.Cover(tc.m, q)
			var branches []string
			for _, b := range got.Or {
				branches = append(branches, b.Index)
				assert.False(t, b.Scan, "a branch of an OR plan is bounded; %s", got)
				assert.Positive(t, b.Keys, "a branch of an OR plan is bounded; %s", got)
			}
			assert.Equal(t, tc.index, got.Index, "index; %s", got)
			assert.Equal(t, tc.branches, branches, "branches; %s", got)
			assert.Equal(t, tc.scan, got.Scan, "scan; %s", got)
			assert.Equal(t, tc.inMem, got.InMemorySort, "in-memory sort; %s", got)
			assert.Equal(t, !tc.scan && !tc.inMem, got.Served(), "served; %s", got)
			if tc.str != "" {
				assert.Equal(t, tc.str, got.String())
			}
		})
	}
}

// TestShapeOfOr: the branches of an $or are its conditions joined by "and"
// in each; the conditions beside it stay in Conditions.
func TestShapeOfOr(t *testing.T) {
	q, err := query.ShapeOf(bson.D{
		{Key: "status", Value: "open"},
		or(bson.D{{Key: "a", Value: 1}, {Key: "b", Value: greater(2)}}, bson.D{{Key: "c", Value: bson.D{{Key: "$in", Value: bson.A{1, 2}}}}}),
	}, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []query.Condition{eq("status", "open")}, q.Conditions)
	assert.Equal(t, [][]query.Condition{{eq("a", 1), op("b", "$gt", 2)}, {op("c", "$in", bson.A{1, 2})}}, q.Or)

	// A bson.M filter, and an $or under $elemMatch (not a branch of the
	// query).
	q, err = query.ShapeOf(bson.M{"$or": bson.A{bson.M{"a": 1}, bson.M{"c": 2}}, "items": bson.M{"$elemMatch": bson.M{"$or": bson.A{bson.M{"x": 1}, bson.M{"y": 1}}}}}, nil, nil)
	require.NoError(t, err)
	assert.Empty(t, q.Conditions)
	assert.Equal(t, [][]query.Condition{{eq("a", 1)}, {eq("c", 2)}}, q.Or)

	// A branch that is not a document: the $or is left out.
	q, err = query.ShapeOf(bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "a", Value: 1}}, 3}}}, nil, nil)
	require.NoError(t, err)
	assert.Nil(t, q.Or)
}
