package odm_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/query"
)

// or is {$or: [branches...]}.
func or(branches ...bson.D) bson.E {
	a := bson.A{}
	for _, b := range branches {
		a = append(a, b)
	}
	return bson.E{Key: "$or", Value: a}
}

// TestCoverageOrAgainstExplain compares Cover's answers on $or filters
// with the server's explain, over explain_docs (indexes ab on a and b,
// c_1, tags_1; d has none). An $or whose branches are all indexed is
// served: MongoDB answers it with an OR plan of one IXSCAN per branch,
// FerretDB v2 with DocumentDB with a PostgreSQL BitmapOr of one index
// scan per branch; an $or with a branch on d is a scan on both. On
// MongoDB the in-memory sort must agree too; PostgreSQL sorts the
// result of a BitmapOr whatever the indexes' order, so there the sorts
// are logged. FerretDB v1 (SQLite) plans every find as a SCAN of the
// collection's table, index or not: skipped.
func TestCoverageOrAgainstExplain(t *testing.T) {
	if testrig.FerretDBVersion() == 1 {
		t.Skip("FerretDB v1 (SQLite) explains every find, an indexed one included, as a SCAN of the collection's table: it shows no index scan, OR plan or sort to compare on " + testrig.Server())
	}
	db, model := explainCollection(t)
	a := func(v int) bson.D { return bson.D{{Key: "a", Value: v}} }
	c := func(v string) bson.D { return bson.D{{Key: "c", Value: v}} }
	d := func(v int) bson.D { return bson.D{{Key: "d", Value: v}} }
	cases := []struct {
		filter, sort bson.D
		served       bool // what Cover must say of the index use
	}{
		{bson.D{or(a(3), c("42"))}, nil, true},
		{bson.D{or(c("42"), bson.D{{Key: "tags", Value: "t7"}})}, nil, true},
		{bson.D{{Key: "d", Value: 1}, or(a(3), c("42"))}, nil, true},
		{bson.D{or(a(3), d(2))}, nil, false},
		{bson.D{or(c("42"), bson.D{{Key: "d", Value: bson.D{{Key: "$gt", Value: 5}}}})}, nil, false},
		{bson.D{or(a(3), c("42"))}, bson.D{{Key: "b", Value: -1}}, true},
		{bson.D{or(a(3), a(5))}, bson.D{{Key: "b", Value: -1}}, true},
	}
	for _, tc := range cases {
		q, err := query.ShapeOf(tc.filter, tc.sort, nil)
		require.NoError(t, err)
		cov := query.Cover(model, q)
		plan := explainFind(t, db, tc.filter, tc.sort)
		line := fmt.Sprintf("%v sort %v: Cover says %s; the server scans %v, sorts: %v", tc.filter, tc.sort, cov, plan.indexes, plan.sorts)
		t.Log(line)
		require.Equal(t, tc.served, !cov.Scan, "Cover: %s", line)
		var branches []string
		for _, b := range cov.Or {
			if !slices.Contains(branches, b.Index) {
				branches = append(branches, b.Index)
			}
		}
		used := slices.Compact(slices.Sorted(slices.Values(plan.indexes)))
		assert.Equal(t, !cov.Scan, len(plan.indexes) > 0, "index use: %s", line)
		if testrig.FerretDBVersion() == 0 {
			// MongoDB rewrites an $or of equalities on one field to a $in:
			// one IXSCAN for both branches.
			assert.ElementsMatch(t, branches, used, "the branches' indexes: %s", line)
			assert.Equal(t, cov.InMemorySort, plan.sorts, "in-memory sort: %s", line)
			continue
		}
		assert.Subset(t, used, branches, "the branches' indexes: %s", line)
		if cov.InMemorySort != plan.sorts {
			t.Logf("disagreement on %s: %s", testrig.Server(), line)
		}
	}
}
