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
	"github.com/tagodm/tagodm/odm/schema"
)

// Task is written with Beanie-style revisions.
type Task struct {
	ID         bson.ObjectID `bson:"_id,omitempty"`
	RevisionID schema.UUID   `bson:"revision_id" odm:"revision"`
	Title      string        `bson:"title"`
	Done       bool          `bson:"done"`
}

// Example_repository shows ids written back, a lookup by id and the
// revision guard.
func Example_repository() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	tasks := odm.MustCollection[Task](db)

	t := &Task{Title: "write the report"}
	if _, err := tasks.InsertOne(ctx, t); err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored as", t.ID.Hex(), "at revision", t.RevisionID)

	mine, err := tasks.FindByID(ctx, t.ID)
	if err != nil {
		log.Fatal(err)
	}
	if mine == nil {
		fmt.Println("deleted meanwhile") // nothing found is nil, not an error
		return
	}
	mine.Done = true
	_, err = tasks.ReplaceByID(ctx, mine)
	var stale *odm.StaleRevisionError
	if errors.As(err, &stale) {
		fmt.Println("someone else changed it since revision", stale.RevisionID, "; read it again")
	}
}

// Example_tenantCollection shows one model in one collection per tenant.
func Example_tenantCollection() {
	var db *mongo.Database
	ctx := context.Background()
	for _, tenant := range []string{"t1", "t2"} {
		name := tenant + "_tasks"
		if _, err := odm.Init(ctx, db, schema.In(name, Task{})); err != nil {
			log.Fatal(err)
		}
		tasks, err := odm.NewCollectionIn[Task](db, name)
		if err != nil {
			log.Fatal(err)
		}
		_, err = tasks.InsertOne(ctx, &Task{Title: "welcome"})
		var dup *odm.DuplicateKeyError
		if errors.As(err, &dup) {
			fmt.Println("refused by", dup.Index)
		}
	}
}

// Ticket gives new documents the defaults another reader of the
// collection expects.
type Ticket struct {
	ID       bson.ObjectID `bson:"_id,omitempty"`
	Revision int64         `bson:"revision" odm:"revision"`
	Status   string        `bson:"status"`
	Tags     []string      `bson:"tags"` // stored as [] when nil
	Open     *bool         `bson:"open"` // defaults to true: a pointer tells false from unset
}

// SetDefaults implements odm.Defaulter; the repository calls it before it
// writes a whole document.
func (t *Ticket) SetDefaults() {
	if t.Status == "" {
		t.Status = "new"
	}
	if t.Open == nil {
		open := true
		t.Open = &open
	}
}

// ExampleCollection_Modify reads a document, changes it in Go and writes
// back only what changed, under the revision guard, reading again when
// another writer got there first.
func ExampleCollection_Modify() {
	var db *mongo.Database
	ctx := context.Background()
	tickets := odm.MustCollection[Ticket](db)

	t, err := tickets.Modify(ctx, bson.D{{Key: "status", Value: "new"}}, func(t *Ticket) error {
		if len(t.Tags) >= 10 {
			return errors.New("too many tags") // nothing is written
		}
		t.Tags = append(t.Tags, "triaged")
		t.Status = "open"
		return nil
	})
	switch {
	case err != nil:
		log.Fatal(err)
	case t == nil:
		fmt.Println("no new ticket")
	default:
		fmt.Println("ticket", t.ID.Hex(), "now at revision", t.Revision)
	}
}

// ExampleCollection_UpdateOne_getOrCreate creates a document unless one
// exists: an upsert whose only operator is $setOnInsert changes nothing
// of an existing document, not even its revision. The new document gets
// the model's defaults for the fields the filter and the update leave out.
func ExampleCollection_UpdateOne_getOrCreate() {
	var db *mongo.Database
	ctx := context.Background()
	tickets := odm.MustCollection[Ticket](db)
	res, err := tickets.UpdateOne(ctx,
		bson.D{{Key: "status", Value: "inbox"}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "tags", Value: bson.A{"inbox"}}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", res.UpsertedCount == 1)
}

// Example_transaction runs repository calls in a transaction: they join
// the session the context carries, as the driver's own calls do. (A
// transaction needs a replica set or a sharded cluster.)
func Example_transaction() {
	var client *mongo.Client // from mongo.Connect(...)
	ctx := context.Background()
	tickets := odm.MustCollection[Ticket](client.Database("app"))
	sess, err := client.StartSession()
	if err != nil {
		log.Fatal(err)
	}
	defer sess.EndSession(ctx)
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) {
		// ctx carries the session: both writes commit, or neither.
		if _, err := tickets.InsertOne(ctx, &Ticket{Status: "new"}); err != nil {
			return nil, err
		}
		return tickets.UpdateMany(ctx, bson.D{{Key: "status", Value: "stale"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "closed"}}}})
	})
	if err != nil {
		log.Fatal(err)
	}
}
