package odm_test

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm/schema"
)

// ActiveCustomer is a view of the customers who are active, with their
// name only: Init creates it on the customers collection, and
// odm.NewCollection[ActiveCustomer] reads it (its writes fail with
// odm.ErrReadOnlyView).
type ActiveCustomer struct {
	ID   bson.ObjectID `bson:"_id"`
	Name string        `bson:"name"`
}

func (ActiveCustomer) CollectionName() string { return "active_customers" }

func (ActiveCustomer) View() schema.View {
	return schema.View{Source: "customers", Pipeline: mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "active", Value: true}}}},
		{{Key: "$project", Value: bson.D{{Key: "name", Value: 1}}}},
	}}
}

// A model declares a view with a View method; Init sends the definition
// below as create {create: "active_customers", viewOn, pipeline}, and
// collMod {collMod, viewOn, pipeline} when it changes.
func Example_view() {
	m, err := schema.Describe(ActiveCustomer{})
	if err != nil {
		fmt.Println(err)
		return
	}
	def, _ := bson.MarshalExtJSON(m.View.Document(), false, false)
	fmt.Println(m.Collection)
	fmt.Println(string(def))
	// Output:
	// active_customers
	// {"viewOn":"customers","pipeline":[{"$match":{"active":true}},{"$project":{"name":1}}]}
}
