package odm_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm"
)

// Chore is a revisioned model, written in volume.
type Chore struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Rev   int64         `bson:"rev" odm:"revision"`
	Title string        `bson:"title"`
	Done  bool          `bson:"done"`
}

// ExampleCollection_Bulk inserts, replaces and deletes in one bulk write:
// each operation prepared as its single write (ids, revisions, hooks), one
// command per run of one kind, each operation's result and error.
func ExampleCollection_Bulk() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	chores := odm.MustCollection[Chore](db)

	var loaded []Chore // read earlier, each with its revision
	newChore := &Chore{Title: "write the docs"}
	b := chores.Bulk().InsertOne(newChore)
	for i := range loaded {
		loaded[i].Done = true
		b.ReplaceByID(&loaded[i]) // guarded by loaded[i]'s revision
	}
	b.DeleteMany(bson.D{{Key: "done", Value: true}, {Key: "title", Value: ""}})

	res, err := b.Run(ctx, options.BulkWrite().SetOrdered(false))
	var bulkErr *odm.BulkError
	var stale *odm.StaleRevisionError
	switch {
	case errors.As(err, &stale):
		log.Printf("chore %v changed since it was read: read it again", stale.ID)
	case errors.As(err, &bulkErr):
		for _, i := range bulkErr.Failed {
			log.Printf("operation %d (%s): %v", i, res.Ops[i].Op, res.Ops[i].Err)
		}
	case err != nil:
		log.Fatal(err) // nothing was sent
	}
	fmt.Println(newChore.ID.IsZero(), newChore.Rev) // the id and first revision, written back
}
