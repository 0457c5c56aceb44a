package testmodels

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The field-reference model: the tests of typed field references (query.F)
// build paths, filters and updates over it.

// RefLine is an element of RefOrder.Lines.
type RefLine struct {
	SKU string `bson:"sku"`
	Qty int    `bson:"qty"`
}

// RefAddress is a nested struct, by pointer in RefOrder.Ship and by value
// in RefOrder.Bill.
type RefAddress struct {
	City string `bson:"city"`
	Zip  string `bson:"zip"`
}

// RefAudit is inlined into RefOrder.
type RefAudit struct {
	CreatedAt time.Time `bson:"created_at"`
}

// RefOrder has a slice of structs, a slice of strings, a nested struct by
// pointer and by value, a field bson skips and an inlined struct.
type RefOrder struct {
	ID       bson.ObjectID `bson:"_id,omitempty"`
	Status   string        `bson:"status"`
	Total    float64       `bson:"total"`
	Lines    []RefLine     `bson:"lines"`
	Tags     []string      `bson:"tags"`
	Ship     *RefAddress   `bson:"ship"`
	Bill     RefAddress    `bson:"bill"`
	Secret   string        `bson:"-"`
	RefAudit `bson:",inline"`
}
