package odm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
)

// Article keeps its timestamps, normalises its slug before every insert
// and replace, and refuses an empty title.
type Article struct {
	ID             bson.ObjectID `bson:"_id,omitempty"`
	Title          string        `bson:"title"`
	Slug           string        `bson:"slug"`
	odm.Timestamps `bson:",inline"`
}

func (a *Article) BeforeInsert(context.Context) error  { a.Slug = slug(a.Title); return nil }
func (a *Article) BeforeReplace(context.Context) error { a.Slug = slug(a.Title); return nil }

func (a *Article) Validate() error {
	if strings.TrimSpace(a.Title) == "" {
		return errors.New("an article needs a title")
	}
	return nil
}

func (a *Article) AfterInsert(context.Context) error {
	fmt.Println("published", a.ID.Hex(), "at", a.CreatedAt)
	return nil
}

func slug(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "-")
}

// Example_hooks shows a model's hooks and timestamps, and FilterHooks
// auditing the writes by filter, which hold no document.
func Example_hooks() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	audit := odm.FilterHooks(nil, func(_ context.Context, w odm.FilterWrite) error {
		log.Printf("%s on %s: %v", w.Write, w.Collection, w.Filter)
		return nil
	})
	articles := odm.MustCollection[Article](db, audit)

	a := &Article{Title: "Hooks in Go"}
	if _, err := articles.InsertOne(ctx, a); err != nil {
		log.Fatal(err) // Validate's error: nothing was written
	}
	fmt.Println(a.Slug, a.CreatedAt.Equal(a.UpdatedAt))

	// An update by filter gets {$set: {updated_at: now}} and calls audit.
	_, err := articles.UpdateByID(ctx, a.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "title", Value: "Hooks"}}}})
	if err != nil {
		log.Fatal(err)
	}
}
