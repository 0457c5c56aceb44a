package odm_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// Order declares its indexes in struct tags.
type Order struct {
	OrderID  string    `bson:"order_id" odm:"uniqueIndex"`
	Customer string    `bson:"customer" odm:"index:idx_customer_placed,priority:1"`
	PlacedAt time.Time `bson:"placed_at" odm:"index:idx_customer_placed,priority:2,sort:desc"`
	Status   string    `bson:"status" odm:"index:idx_status_sparse,sparse"`
	Expires  time.Time `bson:"expires_at" odm:"index,ttl:720h"`
	Title    string    `bson:"title" odm:"index:idx_search,type:text,weight:5"`
	Notes    string    `bson:"notes" odm:"index:idx_search,type:text"`
}

// CollectionName names the collection; without it the collection would be
// "order" (the type name in snake_case).
func (Order) CollectionName() string { return "orders" }

// Example_tags shows the tag grammar and the indexes it declares.
func Example_tags() {
	model, err := schema.Describe(Order{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("collection:", model.Collection)
	for _, s := range model.Indexes {
		fmt.Println(s)
	}
	// Output:
	// collection: orders
	// order_id_1 {order_id: 1} unique
	// idx_customer_placed {customer: 1, placed_at: -1}
	// idx_status_sparse {status: 1} sparse
	// expires_at_1 {expires_at: 1} expireAfterSeconds=2592000
	// idx_search {title: "text", notes: "text"} weights={"title":5}
}

// Event declares what a tag cannot say in an Indexes method.
type Event struct {
	Kind   string         `bson:"kind"`
	Owner  string         `bson:"owner"`
	Labels map[string]any `bson:"labels"`
}

// Indexes declares a partial unique index, a wildcard index and an index
// on a field stored outside the struct.
func (Event) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{
		schema.Index(schema.Asc("kind"), schema.Asc("owner")).Named("idx_kind_owner"),
		{Keys: []schema.IndexKey{schema.Asc("owner")}, Unique: true, PartialFilter: bson.D{{Key: "owner", Value: bson.D{{Key: "$exists", Value: true}}}}},
		{Keys: []schema.IndexKey{schema.Wildcard("labels")}},
		{Keys: []schema.IndexKey{schema.Asc("pod_name")}, Sparse: true, OutsideStruct: true},
	}
}

// Example_indexesMethod shows an Indexes method and the default names.
func Example_indexesMethod() {
	model, err := schema.Describe(Event{})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range model.Indexes {
		fmt.Println(s)
	}
	// Output:
	// idx_kind_owner {kind: 1, owner: 1}
	// owner_1 {owner: 1} unique partialFilterExpression={"owner":{"$exists":true}}
	// labels.$**_1 {labels.$**: 1}
	// pod_name_1 {pod_name: 1} sparse
}

// ExampleValidate shows a declaration error, found before any server is
// contacted.
func ExampleValidate() {
	type Session struct {
		Token string `bson:"token" odm:"index,ttl:soon"`
	}
	fmt.Println(odm.Validate(Session{}))
	// Output:
	// odm: invalid declaration: odm_test.Session.Token `odm:"index,ttl:soon"` [collection session]: "index,ttl:soon": ttl must be whole seconds or a duration such as 168h, not "soon"
}

// ExampleInit creates the declared indexes at start-up.
func ExampleInit() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(os.Getenv("MONGODB_URI")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	report, err := odm.Init(ctx, client.Database("shop"),
		Order{}, Event{},
		odm.Logger(slog.Default()),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(report)
}
