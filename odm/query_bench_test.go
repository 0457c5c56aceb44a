package odm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// BenchmarkQueryFind100 reads 100 documents through a Query (path check,
// options, decoding) and through the bare driver's Find and cursor.All
// with the same filter and sort, interleaved in one run, and reports the
// ratio (goal: within 1.05×).
func BenchmarkQueryFind100(b *testing.B) {
	ctx := context.Background()
	db := testrig.Database(b, nil)
	members := odm.MustCollection[member](db)
	docs := make([]member, 1000)
	for i := range docs {
		docs[i] = member{Email: fmt.Sprintf("m%d@x", i), Team: fmt.Sprintf("t%d", i%10), Age: i % 90}
	}
	if _, err := members.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
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
