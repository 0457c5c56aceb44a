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

// BenchmarkUnionFind10k reads 10,000 mixed documents through the union's
// repository and through the bare driver, decoding each cursor document
// by hand: its event_type read from the raw bytes, then the document
// unmarshalled into that type. The runs interleave; the ratio is
// repo/driver.
func BenchmarkUnionFind10k(b *testing.B) {
	ctx := context.Background()
	db := testrig.Database(b, nil)
	events, err := odm.NewUnionCollection(db, testUnion())
	if err != nil {
		b.Fatal(err)
	}
	docs := make([]any, 10000)
	for i := range docs {
		base := EvBase{ID: bson.NewObjectID(), Aggregate: fmt.Sprint("a", i%50), At: at(i)}
		switch i % 3 {
		case 0:
			base.EventType = "started"
			docs[i] = evStarted{EvBase: base, PodName: fmt.Sprint("p", i)}
		case 1:
			base.EventType = "completed"
			docs[i] = evCompleted{EvBase: base, ExitCode: i % 7, Stdout: "ok", Node: "n"}
		default:
			base.EventType = "failed"
			docs[i] = evFailed{EvBase: base, ExitCode: 1, Errors: []string{"e1", "e2"}}
		}
	}
	if _, err := events.Driver().InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	viaUnion := func() time.Duration {
		start := time.Now()
		got, err := events.Find(ctx, bson.D{})
		if err != nil || len(got) != 10000 {
			b.Fatal(err, len(got))
		}
		return time.Since(start)
	}
	viaDriver := func() time.Duration {
		start := time.Now()
		cur, err := events.Driver().Find(ctx, bson.D{})
		if err != nil {
			b.Fatal(err)
		}
		var all []testEvent
		for cur.Next(ctx) {
			var e testEvent
			switch cur.Current.Lookup("event_type").StringValue() {
			case "started":
				var v evStarted
				err = bson.Unmarshal(cur.Current, &v)
				e = v
			case "completed":
				var v evCompleted
				err = bson.Unmarshal(cur.Current, &v)
				e = v
			case "failed":
				var v evFailed
				err = bson.Unmarshal(cur.Current, &v)
				e = v
			}
			if err != nil {
				b.Fatal(err)
			}
			all = append(all, e)
		}
		if err := cur.Close(ctx); err != nil || len(all) != 10000 {
			b.Fatal(err, len(all))
		}
		return time.Since(start)
	}
	interleave(b, viaUnion, viaDriver)
}
