// Package orders is a small service package, the example of a service
// whose tests use package odmtest: a model declaring its indexes in tags,
// and a store whose every query one of them serves.
package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
)

// Order is a customer's order, in "orders".
type Order struct {
	ID         bson.ObjectID `bson:"_id,omitempty"`
	OrderID    string        `bson:"order_id" odm:"uniqueIndex"`
	CustomerID string        `bson:"customer_id" odm:"index:idx_orders_customer_placed,priority:1"`
	Status     string        `bson:"status" odm:"index:idx_orders_status"`
	TotalCents int64         `bson:"total_cents"`
	// PlacedAt orders a customer's orders, newest first; orders are
	// removed 90 days after they are placed (a TTL index).
	PlacedAt time.Time `bson:"placed_at" odm:"index:idx_orders_customer_placed,priority:2,sort:desc;index:idx_orders_expiry,ttl:2160h"`
}

// CollectionName implements schema.CollectionNamer.
func (Order) CollectionName() string { return "orders" }

// The statuses of an order.
const (
	Open    = "open"
	Shipped = "shipped"
)

// ErrDuplicate is Place's error for an order id already placed.
var ErrDuplicate = errors.New("orders: order already placed")

// Store keeps orders in a database whose indexes odm.Init created from
// Order's declarations.
type Store struct {
	orders *odm.Collection[Order]
	now    func() time.Time
}

// NewStore returns a store on db.
func NewStore(db *mongo.Database) (*Store, error) {
	c, err := odm.NewCollection[Order](db)
	if err != nil {
		return nil, err
	}
	return &Store{orders: c, now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}, nil
}

// Place stores a new open order, placed now. An order id already placed
// is ErrDuplicate: the unique index on order_id decides.
func (s *Store) Place(ctx context.Context, orderID, customerID string, totalCents int64) (*Order, error) {
	o := &Order{OrderID: orderID, CustomerID: customerID, Status: Open, TotalCents: totalCents, PlacedAt: s.now()}
	if _, err := s.orders.InsertOne(ctx, o); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("%w: %s", ErrDuplicate, orderID)
		}
		return nil, err
	}
	return o, nil
}

// Recent returns a customer's latest orders, newest first, at most n
// (served by idx_orders_customer_placed).
func (s *Store) Recent(ctx context.Context, customerID string, n int64) ([]Order, error) {
	return s.orders.Query(bson.D{{Key: "customer_id", Value: customerID}}).
		Sort(bson.D{{Key: "placed_at", Value: -1}}).
		Limit(n).
		All(ctx)
}

// Ship marks an open order shipped; it reports whether the order was open.
func (s *Store) Ship(ctx context.Context, orderID string) (bool, error) {
	res, err := s.orders.UpdateOne(ctx,
		bson.D{{Key: "order_id", Value: orderID}, {Key: "status", Value: Open}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Shipped}}}})
	if err != nil {
		return false, err
	}
	return res.ModifiedCount == 1, nil
}

// CountOpen is the number of open orders (served by idx_orders_status).
func (s *Store) CountOpen(ctx context.Context) (int64, error) {
	return s.orders.CountDocuments(ctx, bson.D{{Key: "status", Value: Open}})
}
