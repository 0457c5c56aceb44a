package odm_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
)

// Task is written with Beanie-style revisions.
type Task struct {
	ID         bson.ObjectID `bson:"_id,omitempty"`
	RevisionID odm.UUID      `bson:"revision_id" odm:"revision"`
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
		if _, err := odm.Init(ctx, db, odm.In(name, Task{})); err != nil {
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
