package odm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// BenchmarkBulkInsert10k writes 10,000 new documents as one bulk write,
// through the repository's Bulk (the pipeline's checks, ids generated and
// written back into the documents) and through the driver's BulkWrite of
// InsertOne models, in two ways: doing the same work, the caller giving
// each document its id so that it knows them after the write (the
// driver then reads each document's _id back as it sends it); and
// leaving the ids to the driver, which generates them where the caller
// cannot see them. The runs alternate; the ratios are repo/driver.
func BenchmarkBulkInsert10k(b *testing.B) {
	ctx := context.Background()
	db := testrig.Database(b, nil)
	repoColl, err := odm.NewCollectionIn[member](db, "bulk_repo")
	if err != nil {
		b.Fatal(err)
	}
	bareColl := db.Collection("bulk_bare")
	fresh := func() []member {
		docs := make([]member, 10000)
		for i := range docs {
			docs[i] = member{Email: fmt.Sprintf("m%d@x", i), Team: fmt.Sprintf("t%d", i%10), Age: i % 90}
		}
		return docs
	}
	empty := func(c *mongo.Collection) {
		if _, err := c.DeleteMany(ctx, bson.D{}); err != nil {
			b.Fatal(err)
		}
	}
	viaRepo := func() time.Duration {
		docs := fresh()
		empty(repoColl.Driver())
		start := time.Now()
		w := repoColl.Bulk()
		for i := range docs {
			w.InsertOne(&docs[i])
		}
		res, err := w.Run(ctx)
		if err != nil || res.InsertedCount != 10000 || docs[9999].ID.IsZero() {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	viaDriver := func(withIDs bool) time.Duration {
		docs := fresh()
		empty(bareColl)
		start := time.Now()
		models := make([]mongo.WriteModel, len(docs))
		for i := range docs {
			if withIDs {
				docs[i].ID = bson.NewObjectID()
			}
			models[i] = mongo.NewInsertOneModel().SetDocument(&docs[i])
		}
		res, err := bareColl.BulkWrite(ctx, models)
		if err != nil || res.InsertedCount != 10000 {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var repo, same, noIDs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			repo += viaRepo()
			same += viaDriver(true)
			noIDs += viaDriver(false)
		} else {
			noIDs += viaDriver(false)
			same += viaDriver(true)
			repo += viaRepo()
		}
	}
	b.ReportMetric(float64(repo.Milliseconds())/float64(b.N), "repo-ms/op")
	b.ReportMetric(float64(same.Milliseconds())/float64(b.N), "driver-ms/op")
	b.ReportMetric(float64(noIDs.Milliseconds())/float64(b.N), "driver-no-ids-ms/op")
	b.ReportMetric(float64(repo)/float64(same), "repo/driver")
	b.ReportMetric(float64(repo)/float64(noIDs), "repo/driver-no-ids")
}
