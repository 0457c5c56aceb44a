package odm_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// BenchmarkQueryFind100 reads 100 documents through a Query (path check,
// options, decoding) and through the bare driver's Find and cursor.All
// with the same filter and sort, interleaved in one run, and reports the
// ratio (goal: within 1.05×).
func BenchmarkQueryFind100(b *testing.B) {
	ctx := context.Background()
	members := seededMembers(b, 1000)
	filter := bson.D{{Key: "team", Value: "t3"}}
	sort := bson.D{{Key: "age", Value: 1}}
	q := members.Query(filter).Sort(sort)
	b.ResetTimer()
	viaQuery := func() time.Duration {
		start := time.Now()
		got, err := q.All(ctx)
		if err != nil || len(got) != 100 {
			b.Fatal(err, len(got))
		}
		return time.Since(start)
	}
	viaDriver := func() time.Duration {
		start := time.Now()
		cur, err := members.Driver().Find(ctx, filter, options.Find().SetSort(sort))
		if err != nil {
			b.Fatal(err)
		}
		var all []member
		if err := cur.All(ctx, &all); err != nil || len(all) != 100 {
			b.Fatal(err, len(all))
		}
		return time.Since(start)
	}
	interleave(b, viaQuery, viaDriver)
}
