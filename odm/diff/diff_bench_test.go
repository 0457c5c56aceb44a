package diff_test

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

// benchCollections builds n collections of ten declared indexes each, of
// every common kind, and their listings as a server returns them (numbers
// as doubles, text indexes as _fts/_ftsx, collations filled in).
func benchCollections(n int) ([][]schema.IndexSpec, [][]bson.Raw) {
	declared := make([][]schema.IndexSpec, n)
	listed := make([][]bson.Raw, n)
	for c := 0; c < n; c++ {
		specs := []schema.IndexSpec{
			{Keys: []schema.IndexKey{schema.Asc("id")}, Unique: true},
			schema.Index(schema.Asc("user"), schema.Desc("at")),
			schema.Index(schema.Asc("status"), schema.Asc("at")),
			{Keys: []schema.IndexKey{schema.Asc("expires")}, ExpireAfter: schema.TTL(time.Hour)},
			{Keys: []schema.IndexKey{schema.Asc("opt")}, Sparse: true},
			{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true, PartialFilter: bson.D{{Key: "email", Value: bson.D{{Key: "$exists", Value: true}}}}},
			{Keys: []schema.IndexKey{schema.Asc("name")}, Collation: &options.Collation{Locale: "fr", Strength: 2}},
			{Keys: []schema.IndexKey{schema.Text("title"), schema.Text("body")}, Weights: map[string]int32{"title": 5}},
			schema.Index(schema.Asc("a"), schema.Asc("b"), schema.Asc("c")).Named(fmt.Sprintf("idx_abc_%d", c)),
			schema.Index(schema.Desc("score")),
		}
		declared[c] = specs
		docs := []string{
			`{"v": 2, "key": {"_id": 1}, "name": "_id_"}`,
			`{"v": 2, "key": {"id": 1.0}, "name": "id_1", "unique": true}`,
			`{"v": 2, "key": {"user": 1.0, "at": -1.0}, "name": "user_1_at_-1"}`,
			`{"v": 2, "key": {"status": 1.0, "at": 1.0}, "name": "status_1_at_1"}`,
			`{"v": 2, "key": {"expires": 1.0}, "name": "expires_1", "expireAfterSeconds": 3600.0}`,
			`{"v": 2, "key": {"opt": 1.0}, "name": "opt_1", "sparse": true}`,
			`{"v": 2, "key": {"email": 1.0}, "name": "email_1", "unique": true, "partialFilterExpression": {"email": {"$exists": true}}}`,
			`{"v": 2, "key": {"name": 1.0}, "name": "name_1", "collation": {"locale": "fr", "caseLevel": false, "caseFirst": "off", "strength": 2, "numericOrdering": false, "alternate": "non-ignorable", "maxVariable": "punct", "normalization": false, "backwards": false, "version": "57.1"}}`,
			`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "title_text_body_text", "weights": {"body": 1, "title": 5}, "default_language": "english", "language_override": "language", "textIndexVersion": 3}`,
			fmt.Sprintf(`{"v": 2, "key": {"a": 1.0, "b": 1.0, "c": 1.0}, "name": "idx_abc_%d"}`, c),
			`{"v": 2, "key": {"score": -1.0}, "name": "score_-1"}`,
		}
		for _, d := range docs {
			var raw bson.Raw
			if err := bson.UnmarshalExtJSON([]byte(d), false, &raw); err != nil {
				panic(err)
			}
			listed[c] = append(listed[c], raw)
		}
	}
	return declared, listed
}

// BenchmarkDiff plans 1,000 collections of 10 indexes each, all unchanged,
// and compares the exact, normalised comparison with matching by name
// alone, measured interleaved in one run.
func BenchmarkDiff(b *testing.B) {
	declared, listed := benchCollections(1000)
	var exact, byName time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for c := range declared {
			changes, err := diff.Diff(declared[c], listed[c])
			if err != nil || len(changes) != 10 || changes[0].Action != diff.Unchanged {
				b.Fatalf("unexpected plan: %v %v", err, changes)
			}
		}
		mid := time.Now()
		for c := range declared {
			names := map[string]bool{}
			for _, raw := range listed[c] {
				names[raw.Lookup("name").StringValue()] = true
			}
			for _, s := range declared[c] {
				if !names[s.IndexName()] {
					b.Fatal("missing")
				}
			}
		}
		exact += mid.Sub(start)
		byName += time.Since(mid)
	}
	b.ReportMetric(float64(exact.Microseconds())/float64(b.N)/1000, "ms/1000-collections")
	b.ReportMetric(float64(exact.Nanoseconds())/float64(b.N)/10000, "ns/index")
	b.ReportMetric(float64(exact)/float64(byName), "exact/by-name")
}
