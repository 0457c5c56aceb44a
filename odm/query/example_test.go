package query_test

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
)

type Ticket struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	Status string        `bson:"status"`
	Seats  int           `bson:"seats"`
	Tags   []string      `bson:"tags"`
}

// Fields are referenced through the Go field itself, so a renamed field or
// a value of the wrong type is a compile error, and the filter is the
// document MongoDB's manual writes.
func ExampleF() {
	status := query.F(func(t *Ticket) *string { return &t.Status })
	seats := query.F(func(t *Ticket) *int { return &t.Seats })
	tags := query.F(func(t *Ticket) *[]string { return &t.Tags })

	filter := query.And(query.Eq(status, "open"), query.Gte(seats, 2), query.Contains(tags, "vip"))
	doc, err := filter.Document()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bson.Raw(must(bson.Marshal(doc))))

	update := query.Updates(query.Set(status, "closed"), query.Inc(seats, -1))
	udoc, err := update.Document()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bson.Raw(must(bson.Marshal(udoc))))
	// Output:
	// {"$and": [{"status": "open"},{"seats": {"$gte": {"$numberInt":"2"}}},{"tags": "vip"}]}
	// {"$set": {"status": "closed"},"$inc": {"seats": {"$numberInt":"-1"}}}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
