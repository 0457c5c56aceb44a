package odm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
)

// referenceExecution is the i-th of a run of executions with realistic
// fields: a script, its output, resource usage, a user.
func referenceExecution(i int) models.Execution {
	out, errText, user, code := fmt.Sprintf("line 1\nline 2 of run %d\n", i), "", fmt.Sprintf("user-%d", i%97), i%3
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return models.Execution{ExecutionID: fmt.Sprintf("3f1b8c9e-2d4a-4c1e-9a7b-%012d", i),
		Script: "import sys\nfor i in range(10):\n    print(i, file=sys.stdout)\n", Status: "completed",
		Stdout: &out, Stderr: &errText, Lang: "python", LangVersion: "3.11", CreatedAt: at, UpdatedAt: at.Add(2 * time.Second),
		ResourceUsage: &models.ResourceUsage{ExecutionTimeWallSeconds: 1.25, CPUTimeJiffies: int64(80 + i%40), ClkTckHertz: 100, PeakMemoryKB: 20480},
		UserID:        &user, ExitCode: &code, Priority: "normal"}
}

// referenceEvent is the i-th of a run of execution_completed events with
// realistic fields.
func referenceEvent(i int) models.ExecutionCompletedEvent {
	var ev models.ExecutionCompletedEvent
	ev.SetDefaults()
	ev.ExecutionID = fmt.Sprintf("3f1b8c9e-2d4a-4c1e-9a7b-%012d", i)
	ev.ExitCode = i % 3
	ev.Stdout = fmt.Sprintf("line 1\nline 2 of run %d\n", i)
	ev.ResourceUsage = &models.ResourceUsageDomain{ExecutionTimeWallSeconds: 1.25, CPUTimeJiffies: 80 + i%40, ClkTckHertz: 100, PeakMemoryKB: 20480}
	ev.Metadata = models.EventMetadata{ServiceName: "execution-coordinator", ServiceVersion: "1.4.2", UserID: fmt.Sprintf("user-%d", i%97), Environment: "production"}
	return ev
}

// BenchmarkFindReference10k reads 10,000 reference documents (executions,
// then execution_completed events) through the repository, which decodes
// with the model's compiled codec, and through the bare driver's
// cursor.All, with the same filter; the runs interleave in one run. It
// reports the ratios repo/driver of wall time and of this process's CPU
// time (against a server in its own process, the client's CPU).
func BenchmarkFindReference10k(b *testing.B) {
	b.Run("executions", func(b *testing.B) { benchFindReference(b, referenceExecution) })
	b.Run("events", func(b *testing.B) { benchFindReference(b, referenceEvent) })
}

func benchFindReference[T any](b *testing.B, newDoc func(int) T) {
	ctx := context.Background()
	repo := odm.MustCollection[T](testrig.Database(b, nil))
	docs := make([]T, 10000)
	for i := range docs {
		docs[i] = newDoc(i)
	}
	if _, err := repo.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	measure := func(read func() int) func() cost {
		return func() cost {
			c0, t0 := cpuTime(), time.Now()
			if n := read(); n != len(docs) {
				b.Fatalf("read %d documents, want %d", n, len(docs))
			}
			return cost{time.Since(t0), cpuTime() - c0}
		}
	}
	viaRepo := func() int {
		got, err := repo.Find(ctx, bson.D{})
		if err != nil {
			b.Fatal(err)
		}
		return len(got)
	}
	filter := bson.D{}
	if d, ok := any(&docs[0]).(interface{ Variant() string }); ok { // the variant's repository reads its own type
		filter = bson.D{{Key: "event_type", Value: d.Variant()}}
	}
	viaDriver := func() int {
		cur, err := repo.Driver().Find(ctx, filter)
		if err != nil {
			b.Fatal(err)
		}
		var all []T
		if err := cur.All(ctx, &all); err != nil {
			b.Fatal(err)
		}
		return len(all)
	}
	b.ResetTimer()
	interleaveCosts(b, measure(viaRepo), measure(viaDriver))
}

// cost is a run's wall time and this process's CPU time.
type cost struct{ wall, cpu time.Duration }

// interleaveCosts runs the repository and the driver b.N times each,
// alternating which goes first, and reports both wall times and the
// ratios repo/driver of wall and CPU time.
func interleaveCosts(b *testing.B, viaRepo, viaDriver func() cost) {
	interleaveNamed(b, "repo", viaRepo, viaDriver)
}

// interleaveNamed is interleaveCosts with the first side's name in the
// metrics.
func interleaveNamed(b *testing.B, name string, first, viaDriver func() cost) {
	var r, d cost
	for i := 0; i < b.N; i++ {
		var cr, cd cost
		if i%2 == 0 {
			cr, cd = first(), viaDriver()
		} else {
			cd, cr = viaDriver(), first()
		}
		r.wall, r.cpu, d.wall, d.cpu = r.wall+cr.wall, r.cpu+cr.cpu, d.wall+cd.wall, d.cpu+cd.cpu
	}
	b.ReportMetric(float64(r.wall.Milliseconds())/float64(b.N), name+"-ms/op")
	b.ReportMetric(float64(d.wall.Milliseconds())/float64(b.N), "driver-ms/op")
	b.ReportMetric(float64(r.wall)/float64(d.wall), "wall-"+name+"/driver")
	if d.cpu > 0 {
		b.ReportMetric(float64(r.cpu)/float64(d.cpu), "cpu-"+name+"/driver")
	}
}

// BenchmarkInsertReference10k inserts 10,000 reference documents
// (executions, then execution_completed events) through the repository's
// InsertMany (defaults, ids written back) and through the bare driver's
// InsertMany, each into an emptied collection, interleaved in one run; it
// reports the ratios repo/driver of wall time and of this process's CPU.
// The driver encodes the documents on both sides: handed documents the
// compiled codec encoded, it copies each element by element, at about the
// cost of encoding the struct (BenchmarkMarshalPaths in odm/internal/codec;
// BenchmarkInsertEncodedCeiling10k for what encoded documents would save).
func BenchmarkInsertReference10k(b *testing.B) {
	b.Run("executions", func(b *testing.B) { benchInsertReference(b, referenceExecution) })
	b.Run("events", func(b *testing.B) { benchInsertReference(b, referenceEvent) })
}

func benchInsertReference[T any](b *testing.B, newDoc func(int) T) {
	ctx := context.Background()
	db := testrig.Database(b, nil)
	repo, err := odm.NewCollectionIn[T](db, "bench_repo")
	if err != nil {
		b.Fatal(err)
	}
	viaRepo := func() cost {
		docs := referenceRun(newDoc)
		emptyCollection(b, db, "bench_repo")
		c0, t0 := cpuTime(), time.Now()
		if res, err := repo.InsertMany(ctx, docs); err != nil || len(res.InsertedIDs) != len(docs) {
			b.Fatal(err)
		}
		return cost{time.Since(t0), cpuTime() - c0}
	}
	b.ResetTimer()
	interleaveCosts(b, viaRepo, func() cost { return driverInsertMany(b, db, newDoc) })
}

// referenceRun is 10,000 reference documents, the i-th newDoc(i).
func referenceRun[T any](newDoc func(int) T) []T {
	docs := make([]T, 10000)
	for i := range docs {
		docs[i] = newDoc(i)
	}
	return docs
}

// emptyCollection deletes every document of the collection name.
func emptyCollection(b *testing.B, db *mongo.Database, name string) {
	if _, err := db.Collection(name).DeleteMany(context.Background(), bson.D{}); err != nil {
		b.Fatal(err)
	}
}

// driverInsertMany inserts a reference run with the bare driver's
// InsertMany into the emptied collection bench_bare, and is its cost.
func driverInsertMany[T any](b *testing.B, db *mongo.Database, newDoc func(int) T) cost {
	docs := referenceRun(newDoc)
	all := make([]any, len(docs))
	for i := range docs {
		all[i] = &docs[i]
	}
	emptyCollection(b, db, "bench_bare")
	c0, t0 := cpuTime(), time.Now()
	if res, err := db.Collection("bench_bare").InsertMany(context.Background(), all); err != nil || len(res.InsertedIDs) != len(docs) {
		b.Fatal(err)
	}
	return cost{time.Since(t0), cpuTime() - c0}
}
