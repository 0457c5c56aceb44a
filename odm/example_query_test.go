package odm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

// Example_pathCheck shows a typo refused before any command, with the
// field it most likely meant, and a nil filter reading every document.
func Example_pathCheck() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	notifications := odm.MustCollection[models.Notification](db)

	_, err := notifications.CountDocuments(ctx, bson.D{{Key: "stauts", Value: "pending"}})
	var pe *query.PathError
	if errors.As(err, &pe) {
		fmt.Println(pe.Path, "is not a field of", pe.GoType, "- did you mean", pe.Nearest)
	}

	var conditions bson.D // a builder given no conditions: every document
	all, err := notifications.Find(ctx, conditions)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(all), "notifications")
}

// Example_coverage shows which declared index serves a query, whether the
// server sorts in memory, and the redundant indexes of a model.
func Example_coverage() {
	m, err := schema.Describe(models.Notification{})
	if err != nil {
		log.Fatal(err)
	}
	q, err := query.ShapeOf(bson.D{{Key: "user_id", Value: "u1"}}, bson.D{{Key: "created_at", Value: -1}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(query.Cover(m, q))

	q, _ = query.ShapeOf(bson.D{{Key: "channel", Value: "email"}}, nil, nil)
	fmt.Println(query.Cover(m, q))

	redundant, err := odm.RedundantIndexes(models.Notification{})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range redundant {
		fmt.Println(r)
	}
	// Output:
	// idx_notif_user_created_desc (1 key)
	// collection scan
	// notifications: index user_id_1 is redundant: its keys are a prefix of idx_notif_user_created_desc, which serves its queries
}

// executionCard is a projection of models.Execution.
type executionCard struct {
	ExecutionID string `bson:"execution_id"`
	Status      string `bson:"status"`
}

// Example_query shows a reusable query run as a page with its total, its
// first document, a count, and read into a projection type.
func Example_query() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	executions := odm.MustCollection[models.Execution](db)

	mine := executions.Query(bson.D{{Key: "user_id", Value: "u1"}}).Sort(bson.D{{Key: "created_at", Value: -1}})
	page, err := mine.Skip(0).Limit(20).Page(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "of", page.Total, "more:", page.HasMore())

	latest, err := mine.First(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if latest == nil {
		fmt.Println("no executions yet")
	}

	cards, err := odm.Project[executionCard](mine.Limit(5)).All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range cards {
		fmt.Println(c.ExecutionID, c.Status)
	}
}

// Field references of models.Execution: a wrong field, or a value of the
// wrong type, does not compile.
var (
	execStatus  = query.F(func(e *models.Execution) *string { return &e.Status })
	execUser    = query.F(func(e *models.Execution) **string { return &e.UserID })
	execCreated = query.F(func(e *models.Execution) *time.Time { return &e.CreatedAt })
)

// Example_typedFields shows typed filters, sorts and updates.
func Example_typedFields() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	executions := odm.MustCollection[models.Execution](db)

	uid := "u1"
	running, err := executions.Query(query.And(query.Eq(execUser, &uid), query.OneOf(execStatus, "queued", "running"))).
		Sort(query.SortBy(query.ByDesc(execCreated))).
		Limit(20).
		All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(running), "running")

	res, err := executions.UpdateMany(ctx, query.Eq(execStatus, "queued"), query.Updates(query.Set(execStatus, "cancelled")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ModifiedCount, "cancelled")
}
