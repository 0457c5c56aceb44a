package odmtest_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odmtest"
)

// invoice is a service's model.
type invoice struct {
	ID         bson.ObjectID `bson:"_id,omitempty"`
	Number     string        `bson:"number" odm:"uniqueIndex"`
	CustomerID string        `bson:"customer_id" odm:"index:idx_customer_issued,priority:1"`
	IssuedAt   time.Time     `bson:"issued_at" odm:"index:idx_customer_issued,priority:2,sort:desc"`
}

func (invoice) CollectionName() string { return "invoices" }

// The examples below are bodies of test functions; t is the test's
// *testing.T.

func ExampleConnect() {
	var t *testing.T // func TestServer(t *testing.T) { ... }

	server := odmtest.Connect(t)
	if server.FerretDB == 1 {
		t.Skipf("%s lacks change streams", server.Name)
	}
	_ = server.Client.Database("app") // the shared client; do not disconnect it
}

func ExampleDatabase() {
	var t *testing.T // func TestInvoices(t *testing.T) { ... }

	db := odmtest.Database(t, invoice{}) // indexes created, dropped when t ends
	invoices := odm.MustCollection[invoice](db)
	if _, err := invoices.InsertOne(context.Background(), &invoice{Number: "2026-0001", CustomerID: "c1"}); err != nil {
		t.Fatal(err)
	}
}

func ExampleValidate() {
	var t *testing.T // func TestModels(t *testing.T) { ... }

	// Every model of the service, checked without a server: a bad tag
	// fails CI with every problem named.
	odmtest.Validate(t, invoice{})
}

func ExampleRecordQueries() {
	var t *testing.T // func TestLatestInvoices(t *testing.T) { ... }

	db := odmtest.Database(t, invoice{})
	odmtest.RecordQueries(t, odmtest.FailUnserved) // a query no index serves fails t

	invoices := odm.MustCollection[invoice](db)
	_, err := invoices.Query(bson.D{{Key: "customer_id", Value: "c1"}}).
		Sort(bson.D{{Key: "issued_at", Value: -1}}).
		Limit(10).
		All(context.Background()) // served by idx_customer_issued
	if err != nil {
		t.Fatal(err)
	}
}

func ExampleMain() {
	var m *testing.M // func TestMain(m *testing.M) { odmtest.Main(m) }

	odmtest.Main(m) // runs the tests, stops the embedded server, exits
}
