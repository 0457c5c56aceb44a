package odm

import (
	"context"
	"testing"

	"github.com/tagodm/tagodm/odm/internal/repo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The client's part of a write, measured without a server: each write is
// stopped as its send stage begins, so that prepare and encode (and, for a
// model with hooks, its before-hooks) are all that is timed. A model
// without hooks is to cost what it did before hooks existed.

// benchDoc is a revisioned model without hooks.
type benchDoc struct {
	ID   bson.ObjectID `bson:"_id"`
	Rev  int64         `bson:"rev" odm:"revision"`
	Name string        `bson:"name"`
	N    int           `bson:"n"`
}

// stopAtSend stops every write as its send stage begins.
func stopAtSend(b *testing.B) {
	repo.StageHook = func(_ repo.Kind, s repo.Stage) error {
		if s == repo.StageSend {
			return errStopped
		}
		return nil
	}
	b.Cleanup(func() { repo.StageHook = nil })
}

// BenchmarkPrepareInsertMany10k is InsertMany of 10,000 new documents, up
// to the command.
func BenchmarkPrepareInsertMany10k(b *testing.B) {
	c := offline[benchDoc](b)
	stopAtSend(b)
	docs := make([]benchDoc, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		clear(docs)
		if _, err := c.InsertMany(ctx, docs); err != errStopped {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrepareReplaceByID is a guarded ReplaceByID, up to the command.
func BenchmarkPrepareReplaceByID(b *testing.B) {
	c := offline[benchDoc](b)
	stopAtSend(b)
	doc := benchDoc{ID: bson.NewObjectID(), Rev: 3, Name: "n"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		doc.Rev = 3
		if _, err := c.ReplaceByID(ctx, &doc); err != errStopped {
			b.Fatal(err)
		}
	}
}
