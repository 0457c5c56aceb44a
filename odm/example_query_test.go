package odm_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
)

// Example_pathCheck shows a typo refused before any command, with the
// field it most likely meant, and a nil filter reading every document.
func Example_pathCheck() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	notifications := odm.MustCollection[models.Notification](db)

	_, err := notifications.CountDocuments(ctx, bson.D{{Key: "stauts", Value: "pending"}})
	var pe *odm.PathError
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
