package odm_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// ExampleOnProgress reports long index builds, so that start-up probes and
// operators see Init working, and gives each build's time afterwards.
func ExampleOnProgress() {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(os.Getenv("MONGODB_URI")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	report, err := odm.Init(ctx, client.Database("shop"), Order{},
		odm.ProgressEvery(5*time.Second, 10*time.Second),
		odm.OnProgress(func(p outcome.Progress) { log.Println("building", p) }),
	)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range report.Collections {
		for _, r := range c.Indexes {
			if r.BuildTime > 0 {
				fmt.Println(c.Collection, r.Name, "built in", r.BuildTime)
			}
		}
	}
}

// ExampleHideUndeclared removes an index in two runs: hidden by the first,
// dropped by a later one, which both options together do.
func ExampleHideUndeclared() {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(os.Getenv("MONGODB_URI")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	report, err := odm.Init(ctx, client.Database("shop"), Order{},
		odm.HideUndeclared(), odm.DropUndeclared())
	if err != nil {
		log.Fatal(err)
	}
	c, _ := report.Collection("orders")
	fmt.Println("hidden now:", c.Names(outcome.Hidden), "dropped (hidden earlier):", c.Names(outcome.Dropped))
}
