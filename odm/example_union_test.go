package odm_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
)

// EventBase is what every kind of event shares: the base struct, stored in
// one collection, "events", with the kind in event_type.
type EventBase struct {
	ID        bson.ObjectID `bson:"_id,omitempty"`
	EventType string        `bson:"event_type" odm:"discriminator"`
	Timestamp time.Time     `bson:"timestamp" odm:"index"`
}

func (EventBase) CollectionName() string { return "events" }

// DomainEvent is the interface the union returns: every variant has it,
// and so does odm.Unknown, which a document of no known kind reads as.
type DomainEvent interface{ Variant() string }

// PodCreated and UserLoggedIn are two kinds of event: each embeds Event
// inline and names its event_type.
type PodCreated struct {
	EventBase `bson:",inline"`
	PodName   string `bson:"pod_name" odm:"index"`
	Namespace string `bson:"namespace"`
}

func (PodCreated) Variant() string { return "pod_created" }

type UserLoggedIn struct {
	EventBase `bson:",inline"`
	UserID    string `bson:"user_id" odm:"index"`
}

func (UserLoggedIn) Variant() string { return "user_logged_in" }

// Events is the union of the event kinds, a model for Init like any other.
var Events = odm.NewUnion[DomainEvent](odm.Variant[PodCreated](), odm.Variant[UserLoggedIn]())

// Example_union reads a polymorphic collection: each document comes back
// as its own kind, one of unknown kind as an odm.Unknown holding it whole.
func Example_union() {
	var db *mongo.Database // from mongo.Connect(...).Database("app")
	ctx := context.Background()
	if _, err := odm.Init(ctx, db, Events); err != nil { // the indexes of every kind
		log.Fatal(err)
	}
	events, err := odm.NewUnionCollection(db, Events)
	if err != nil {
		log.Fatal(err)
	}
	_, err = events.InsertOne(ctx, &PodCreated{EventBase: EventBase{Timestamp: time.Now()}, PodName: "p1"}) // event_type set
	if err != nil {
		log.Fatal(err)
	}
	for e, err := range events.All(ctx, bson.D{{Key: "timestamp", Value: bson.D{{Key: "$gte", Value: time.Now().Add(-time.Hour)}}}}) {
		if err != nil {
			log.Fatal(err)
		}
		switch e := e.(type) {
		case PodCreated:
			fmt.Println("pod", e.PodName)
		case UserLoggedIn:
			fmt.Println("login", e.UserID)
		case odm.Unknown:
			fmt.Println("an event of kind", e.Value, "kept as", len(e.Raw), "bytes")
		}
	}
	// A kind's own repository sees only its documents.
	pods := odm.MustCollection[PodCreated](db)
	n, err := pods.CountDocuments(ctx, bson.D{})
	fmt.Println(n, err)
}
