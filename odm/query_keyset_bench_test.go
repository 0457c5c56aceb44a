package odm_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// BenchmarkKeysetPage reads a page of 100 after a boundary in the middle
// of 10,000 documents, through Query.After and through the bare driver
// with the filter written by hand, interleaved in one run, and reports the
// ratio.
func BenchmarkKeysetPage(b *testing.B) {
	ctx := context.Background()
	members := seededMembers(b, 10000)
	byAge := members.Query(nil).Sort(bson.D{{Key: "age", Value: 1}})
	firstHalf, err := byAge.After(nil).Limit(5000).All(ctx)
	if err != nil {
		b.Fatal(err)
	}
	last := firstHalf[len(firstHalf)-1]
	b.ResetTimer()
	viaRepo := func() time.Duration {
		start := time.Now()
		page, err := byAge.After(&last).Limit(100).All(ctx)
		if err != nil || len(page) != 100 {
			b.Fatal(err, len(page))
		}
		return time.Since(start)
	}
	viaDriver := func() time.Duration {
		start := time.Now()
		filter := bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "age", Value: bson.D{{Key: "$gt", Value: last.Age}}}},
			bson.D{{Key: "age", Value: last.Age}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: last.ID}}}},
		}}}
		cur, err := members.Driver().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "age", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(100))
		if err != nil {
			b.Fatal(err)
		}
		var page []member
		if err := cur.All(ctx, &page); err != nil || len(page) != 100 {
			b.Fatal(err, len(page))
		}
		return time.Since(start)
	}
	interleave(b, viaRepo, viaDriver)
}
