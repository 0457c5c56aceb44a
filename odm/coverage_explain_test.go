package odm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

// explainDoc is the model of the explain comparison.
type explainDoc struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	A    int           `bson:"a"`
	B    int           `bson:"b"`
	C    string        `bson:"c" odm:"index"`
	D    int           `bson:"d"`
	Tags []string      `bson:"tags" odm:"index"`
}

func (explainDoc) CollectionName() string { return "explain_docs" }

func (explainDoc) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("a"), schema.Desc("b")).Named("ab")}
}

// serverPlan is what an explain says: the declared indexes the plan scans
// and whether it sorts.
type serverPlan struct {
	indexes []string
	sorts   bool
}

// readPlan reads MongoDB's queryPlanner.winningPlan (IXSCAN, SORT stages)
// or the PostgreSQL plan FerretDB v2 with DocumentDB answers ("Index
// Name", a "Sort" node); DocumentDB's scan of "_id_" by shard key alone is
// a scan of the whole collection, not an index's use.
func readPlan(v any, out *serverPlan) {
	switch x := v.(type) {
	case bson.D:
		m := map[string]any{}
		for _, e := range x {
			m[e.Key] = e.Value
		}
		if s, ok := m["stage"].(string); ok {
			switch s {
			case "IXSCAN":
				out.indexes = append(out.indexes, fmt.Sprint(m["indexName"]))
			case "SORT":
				out.sorts = true
			}
		}
		if s, ok := m["Node Type"].(string); ok {
			if strings.Contains(s, "Sort") {
				out.sorts = true
			}
			if name, ok := m["Index Name"].(string); ok {
				cond := fmt.Sprint(m["Index Cond"])
				if !(name == "_id_" && strings.Contains(cond, "shard_key_value") && !strings.Contains(cond, "object_id")) {
					out.indexes = append(out.indexes, name)
				}
			}
		}
		for _, e := range x {
			if e.Key == "rejectedPlans" {
				continue
			}
			readPlan(e.Value, out)
		}
	case bson.A:
		for _, item := range x {
			readPlan(item, out)
		}
	}
}

// TestCoverageAgainstExplain compares Cover's answers with the server's
// explain on queries over a model with a compound, a plain and a multikey
// index. On MongoDB both answers must agree (whether an index bounds the
// filter, whether the sort is in memory). FerretDB v2 with DocumentDB
// plans with PostgreSQL, whose composite indexes serve any of their keys
// and which sorts small results itself: there, every filter Cover says an
// index bounds must be served by an index too, and the other differences
// are logged. FerretDB v1 answers explain without a plan: skipped.
func TestCoverageAgainstExplain(t *testing.T) {
	if testrig.FerretDBVersion() == 1 {
		t.Skip("FerretDB v1 (SQLite) answers explain without index use or sort stages, so there is nothing to compare on " + testrig.Server())
	}
	db, model := explainCollection(t)

	cases := []struct {
		filter, sort bson.D
	}{
		{bson.D{{Key: "a", Value: 3}}, nil},
		{bson.D{{Key: "a", Value: 3}}, bson.D{{Key: "b", Value: -1}}},
		{bson.D{{Key: "a", Value: 3}}, bson.D{{Key: "b", Value: 1}}},
		{bson.D{{Key: "a", Value: 3}, {Key: "b", Value: bson.D{{Key: "$gt", Value: 100}}}}, nil},
		{bson.D{{Key: "a", Value: bson.D{{Key: "$gt", Value: 50}}}}, bson.D{{Key: "b", Value: 1}}},
		{bson.D{{Key: "b", Value: 3}}, nil},
		{bson.D{{Key: "c", Value: "42"}}, nil},
		{bson.D{{Key: "c", Value: "42"}}, bson.D{{Key: "d", Value: 1}}},
		{bson.D{{Key: "d", Value: 3}}, nil},
		{bson.D{{Key: "d", Value: 3}}, bson.D{{Key: "c", Value: 1}}},
		{bson.D{{Key: "tags", Value: "t7"}}, nil},
		{bson.D{{Key: "tags", Value: "t7"}}, bson.D{{Key: "tags", Value: 1}}},
		{bson.D{{Key: "a", Value: bson.D{{Key: "$in", Value: bson.A{1, 2}}}}}, bson.D{{Key: "b", Value: -1}}},
	}
	var disagreements []string
	for _, c := range cases {
		q, err := query.ShapeOf(c.filter, c.sort, nil)
		require.NoError(t, err)
		cov := query.Cover(model, q)
		plan := explainFind(t, db, c.filter, c.sort)
		line := fmt.Sprintf("%v sort %v: Cover says %s; the server scans %v, sorts: %v", c.filter, c.sort, cov, plan.indexes, plan.sorts)
		t.Log(line)
		if testrig.FerretDBVersion() == 0 {
			assert.Equal(t, !cov.Scan, len(plan.indexes) > 0, "index use: %s", line)
			assert.Equal(t, cov.InMemorySort, plan.sorts, "in-memory sort: %s", line)
			continue
		}
		if !cov.Scan {
			assert.NotEmpty(t, plan.indexes, "an index Cover says bounds the filter is used: %s", line)
		}
		if cov.Scan != (len(plan.indexes) == 0) || cov.InMemorySort != plan.sorts {
			disagreements = append(disagreements, line)
		}
	}
	for _, d := range disagreements {
		t.Logf("disagreement on %s: %s", testrig.Server(), d)
	}
}

// explainCollection creates explain_docs with its indexes and 3,000
// documents, enough for a server to prefer an index to a scan.
func explainCollection(t *testing.T) (*mongo.Database, *schema.Model) {
	t.Helper()
	ctx := context.Background()
	db := testrig.Database(t, nil)
	_, err := odm.Init(ctx, db, explainDoc{})
	require.NoError(t, err)
	docs := make([]explainDoc, 3000)
	for i := range docs {
		docs[i] = explainDoc{A: i % 60, B: i, C: fmt.Sprint(i), D: i % 7, Tags: []string{fmt.Sprint("t", i%40), "all"}}
	}
	repo := odm.MustCollection[explainDoc](db)
	_, err = repo.InsertMany(ctx, docs)
	require.NoError(t, err)
	model, err := schema.Describe(explainDoc{})
	require.NoError(t, err)
	return db, model
}

// explainFind is the server's plan of a find on explain_docs.
func explainFind(t *testing.T, db *mongo.Database, filter, sort bson.D) serverPlan {
	t.Helper()
	cmd := bson.D{{Key: "find", Value: "explain_docs"}, {Key: "filter", Value: filter}}
	if sort != nil {
		cmd = append(cmd, bson.E{Key: "sort", Value: sort})
	}
	var out bson.D
	require.NoError(t, db.RunCommand(context.Background(), bson.D{{Key: "explain", Value: cmd}}).Decode(&out))
	var plan serverPlan
	for _, e := range out {
		if e.Key == "queryPlanner" {
			readPlan(e.Value, &plan)
		}
	}
	return plan
}
