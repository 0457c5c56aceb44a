package odm_test

import (
	"math/rand"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

// referenceShapes builds n query shapes over the reference models, from
// their indexes' keys (so that many are served) and their other fields:
// equalities, $in, ranges, $exists, sorts.
func referenceShapes(tb testing.TB, n int) ([]*schema.Model, []query.Shape, int) {
	var ms []*schema.Model
	indexes := 0
	for _, m := range registry.All() {
		d, err := schema.Describe(m)
		if err != nil {
			tb.Fatal(err)
		}
		ms = append(ms, d)
		indexes += len(d.Indexes)
	}
	r := rand.New(rand.NewSource(20))
	shapes := make([]query.Shape, n)
	owner := make([]*schema.Model, n)
	for i := range shapes {
		m := ms[r.Intn(len(ms))]
		owner[i] = m
		var paths []string
		for _, ix := range m.Indexes {
			for _, k := range ix.Keys {
				paths = append(paths, k.Field)
			}
		}
		paths = append(paths, "_id", "not_indexed")
		var q query.Shape
		for range r.Intn(4) {
			p := paths[r.Intn(len(paths))]
			switch r.Intn(5) {
			case 0, 1:
				q.Conditions = append(q.Conditions, query.Condition{Path: p, Op: "$eq", Value: "v"})
			case 2:
				q.Conditions = append(q.Conditions, query.Condition{Path: p, Op: "$in", Value: bson.A{1, 2}})
			case 3:
				q.Conditions = append(q.Conditions, query.Condition{Path: p, Op: "$gte", Value: time.Unix(1, 0)})
			default:
				q.Conditions = append(q.Conditions, query.Condition{Path: p, Op: "$exists", Value: true})
			}
		}
		for range r.Intn(3) {
			q.Sort = append(q.Sort, query.SortKey{Path: paths[r.Intn(len(paths))], Desc: r.Intn(2) == 0})
		}
		shapes[i] = q
	}
	return owner, shapes, indexes
}

// BenchmarkCoverage10k judges 10,000 query shapes against the reference
// models' declared indexes (73 of them); one op is all 10,000.
func BenchmarkCoverage10k(b *testing.B) {
	owner, shapes, indexes := referenceShapes(b, 10000)
	served := 0
	b.ResetTimer()
	for b.Loop() {
		served = 0
		for i, q := range shapes {
			if query.Cover(owner[i], q).Served() {
				served++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(shapes)), "ns/shape")
	b.ReportMetric(float64(served), "served")
	b.ReportMetric(float64(indexes), "indexes")
}
