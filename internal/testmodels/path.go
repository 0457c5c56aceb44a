package testmodels

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The path-check model: the tests of the repositories' path check and of
// NearestField walk its fields of every kind.

// PathItem is an element of PathOrder.Items.
type PathItem struct {
	SKU   string   `bson:"sku"`
	Qty   int      `bson:"qty"`
	Notes []string `bson:"notes"`
}

// PathAddress is a nested struct, by pointer in PathOrder.Address and as
// map values in PathOrder.ByRegion.
type PathAddress struct {
	City string `bson:"city"`
	Zip  string `bson:"zip"`
}

// PathMeta is inlined into PathOrder.
type PathMeta struct {
	Source string `bson:"source"`
}

// PathNode recurs through a slice of pointers to itself.
type PathNode struct {
	Name     string      `bson:"name"`
	Children []*PathNode `bson:"children"`
}

// PathOrder has a field of each kind a path may cross: slices, pointers,
// maps, open documents, raw bytes, a recursive type and an inlined struct.
type PathOrder struct {
	ID       bson.ObjectID          `bson:"_id,omitempty"`
	Status   string                 `bson:"status"`
	Items    []PathItem             `bson:"items"`
	Address  *PathAddress           `bson:"address"`
	Scores   []int                  `bson:"scores"`
	Matrix   [][]int                `bson:"matrix"`
	ByRegion map[string]PathAddress `bson:"by_region"`
	Labels   map[string]string      `bson:"labels"`
	Extra    bson.M                 `bson:"extra"`
	Any      any                    `bson:"any"`
	Raw      bson.Raw               `bson:"raw"`
	Blob     []byte                 `bson:"blob"`
	Created  time.Time              `bson:"created_at"`
	Tree     PathNode               `bson:"tree"`
	PathMeta `bson:",inline"`
}

// CollectionName names PathOrder's collection.
func (PathOrder) CollectionName() string { return "path_orders" }
