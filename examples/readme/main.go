package main

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"os"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm"
)

// Book declares a unique index on isbn and an index on author, then year newest first.
type Book struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	ISBN   string        `bson:"isbn"   odm:"uniqueIndex"`
	Author string        `bson:"author" odm:"index:idx_author_year,priority:1"`
	Year   int           `bson:"year"   odm:"index:idx_author_year,priority:2,sort:desc"`
}

func main() {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(cmp.Or(os.Getenv("MONGODB_URI"), "mongodb://localhost:27017")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("bookshelf")
	report, err := odm.Init(ctx, db, Book{}) // creates the missing indexes; at the next start, only lists them
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(report)

	books := odm.MustCollection[Book](db)
	book := &Book{ISBN: "978-0134190440", Author: "Donovan", Year: 2015}
	if _, err := books.InsertOne(ctx, book); err != nil {
		log.Print(err) // on a second run: the unique index on isbn refuses the same book
	}
	found, err := books.FindOne(ctx, bson.D{{Key: "isbn", Value: book.ISBN}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("found %s by %s (%d), _id %s\n", found.ISBN, found.Author, found.Year, found.ID.Hex())
}
