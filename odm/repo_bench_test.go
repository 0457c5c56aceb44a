package odm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// BenchmarkFind10k decodes 10,000 documents through the repository and
// through the bare driver's cursor.All, interleaved in one run, and reports
// the ratio.
func BenchmarkFind10k(b *testing.B) {
	ctx := context.Background()
	members := seededMembers(b, 10000)
	b.ResetTimer()
	viaRepo := func() time.Duration {
		start := time.Now()
		got, err := members.Find(ctx, bson.D{})
		if err != nil || len(got) != 10000 {
			b.Fatal(err, len(got))
		}
		return time.Since(start)
	}
	viaDriver := func() time.Duration {
		start := time.Now()
		cur, err := members.Driver().Find(ctx, bson.D{})
		if err != nil {
			b.Fatal(err)
		}
		var all []member
		if err := cur.All(ctx, &all); err != nil || len(all) != 10000 {
			b.Fatal(err, len(all))
		}
		return time.Since(start)
	}
	interleave(b, viaRepo, viaDriver)
}

// seededMembers is a repository of n members on a fresh database, in ten
// teams, of ages 0 to 89.
func seededMembers(b *testing.B, n int) *odm.Collection[member] {
	b.Helper()
	members := odm.MustCollection[member](testrig.Database(b, nil))
	docs := make([]member, n)
	for i := range docs {
		docs[i] = member{Email: fmt.Sprintf("m%d@x", i), Team: fmt.Sprintf("t%d", i%10), Age: i % 90}
	}
	if _, err := members.InsertMany(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	return members
}

// BenchmarkInsertMany10k inserts 10,000 documents through the repository
// (which starts revisions and writes generated ids back) and through the
// bare driver's InsertMany, interleaved in one run, and reports the ratio.
// Each side inserts fresh documents into an emptied collection; building
// the documents and emptying the collection are not timed.
func BenchmarkInsertMany10k(b *testing.B) {
	ctx := context.Background()
	db := testrig.Database(b, nil)
	repoColl, err := odm.NewCollectionIn[member](db, "bench_repo")
	if err != nil {
		b.Fatal(err)
	}
	bareColl := db.Collection("bench_bare")
	fresh := func() []member {
		docs := make([]member, 10000)
		for i := range docs {
			docs[i] = member{Email: fmt.Sprintf("m%d@x", i), Team: fmt.Sprintf("t%d", i%10), Age: i % 90}
		}
		return docs
	}
	empty := func(name string) {
		if _, err := db.Collection(name).DeleteMany(ctx, bson.D{}); err != nil {
			b.Fatal(err)
		}
	}
	viaRepo := func() time.Duration {
		docs := fresh()
		empty("bench_repo")
		start := time.Now()
		res, err := repoColl.InsertMany(ctx, docs)
		if err != nil || len(res.InsertedIDs) != 10000 || docs[9999].ID.IsZero() {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	viaDriver := func() time.Duration {
		docs := fresh()
		all := make([]any, len(docs))
		for i := range docs {
			all[i] = &docs[i]
		}
		empty("bench_bare")
		start := time.Now()
		res, err := bareColl.InsertMany(ctx, all)
		if err != nil || len(res.InsertedIDs) != 10000 {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	b.ResetTimer()
	interleave(b, viaRepo, viaDriver)
}

// interleave runs the repository and the bare driver b.N times each,
// alternating which goes first so neither gains from the other's warm-up,
// and reports both and their ratio, measured in this one run.
func interleave(b *testing.B, viaRepo, viaDriver func() time.Duration) {
	var repo, bare time.Duration
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			repo += viaRepo()
			bare += viaDriver()
		} else {
			bare += viaDriver()
			repo += viaRepo()
		}
	}
	b.ReportMetric(float64(repo.Milliseconds())/float64(b.N), "repo-ms/op")
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "driver-ms/op")
	b.ReportMetric(float64(repo)/float64(bare), "repo/driver")
}

// revisionedFixture stores n revisioned accounts, through the repository,
// and returns them with their ids and revisions.
func revisionedFixture(b *testing.B, n int) (*odm.Collection[account], []account) {
	ctx := context.Background()
	db := testrig.Database(b, nil)
	accounts := odm.MustCollection[account](db)
	docs := make([]account, n)
	for i := range docs {
		docs[i] = account{Email: fmt.Sprintf("a%d@x", i), Name: "n", Tags: []string{"t"}}
	}
	if _, err := accounts.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	return accounts, docs
}

// BenchmarkReplaceByID replaces 200 revisioned documents one by one
// through the repository (a guarded write of the fields the struct owns)
// and through the bare driver doing the same guarded work (replaceOne on
// {_id, revision} with the next revision), interleaved in one run.
func BenchmarkReplaceByID(b *testing.B) {
	ctx := context.Background()
	accounts, docs := revisionedFixture(b, 200)
	bare := accounts.Driver()
	viaRepo := func() time.Duration {
		start := time.Now()
		for i := range docs {
			docs[i].Name += "r"
			if _, err := accounts.ReplaceByID(ctx, &docs[i]); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	viaDriver := func() time.Duration {
		start := time.Now()
		for i := range docs {
			d := &docs[i]
			d.Name += "d"
			filter := bson.D{{Key: "_id", Value: d.ID}, {Key: "revision", Value: d.Revision}}
			d.Revision++
			res, err := bare.ReplaceOne(ctx, filter, d)
			if err != nil || res.MatchedCount != 1 {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	b.ResetTimer()
	interleave(b, viaRepo, viaDriver)
}

// BenchmarkModify reads, changes and writes back 200 revisioned documents
// through Modify and through the bare driver doing the same work (findOne,
// then updateOne of the changed field on {_id, revision} with $inc),
// interleaved in one run.
func BenchmarkModify(b *testing.B) {
	ctx := context.Background()
	accounts, docs := revisionedFixture(b, 200)
	bare := accounts.Driver()
	viaRepo := func() time.Duration {
		start := time.Now()
		for i := range docs {
			if _, err := accounts.ModifyByID(ctx, docs[i].ID, func(a *account) error { a.Name += "m"; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	viaDriver := func() time.Duration {
		start := time.Now()
		for i := range docs {
			var a account
			if err := bare.FindOne(ctx, bson.D{{Key: "_id", Value: docs[i].ID}}).Decode(&a); err != nil {
				b.Fatal(err)
			}
			a.Name += "d"
			res, err := bare.UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID}, {Key: "revision", Value: a.Revision}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: a.Name}}}, {Key: "$inc", Value: bson.D{{Key: "revision", Value: 1}}}})
			if err != nil || res.MatchedCount != 1 {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	b.ResetTimer()
	interleave(b, viaRepo, viaDriver)
}
