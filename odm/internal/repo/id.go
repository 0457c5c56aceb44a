package repo

import (
	"context"
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm/internal/write"
)

// setGeneratedID sets an _id the server or the driver generated in doc,
// when doc's _id is zero and the field can hold it.
func (c *Core[T]) setGeneratedID(doc *T, id any) {
	c.id.SetGenerated(reflect.ValueOf(doc).Elem(), id)
}

// newID gives doc a new ObjectID when its _id field holds one and is zero
// (write.IDField.New).
func (c *Core[T]) newID(doc *T) (*bson.RawValue, func()) {
	return c.id.New(reflect.ValueOf(doc).Elem())
}

// insertOrdered reports whether an InsertMany stops at its first failure
// (the default).
func insertOrdered(opts []options.Lister[options.InsertManyOptions]) bool {
	o := applied(opts)
	return o.Ordered == nil || *o.Ordered
}

// applied is the options opts set.
func applied[O any](opts []options.Lister[O]) O {
	var o O
	for _, l := range opts {
		if l == nil {
			continue
		}
		for _, set := range l.List() {
			_ = set(&o)
		}
	}
	return o
}

// idFilter is {_id: id}, with a hex string read as an ObjectID when the
// model's _id is one.
func (c *Core[T]) idFilter(op string, id any) (bson.D, error) {
	if c.id.Index == nil {
		return nil, fmt.Errorf("odm: %s on %s: %v declares no _id field (bson:\"_id\"), so it cannot be found by id; add one, as every stored document has an _id", op, c.Name(), c.model.Type)
	}
	if s, ok := id.(string); ok && c.id.Index != nil && (c.id.Type == write.ObjectIDType || c.id.Type.Kind() == reflect.Pointer && c.id.Type.Elem() == write.ObjectIDType) {
		oid, err := bson.ObjectIDFromHex(s)
		if err != nil {
			return nil, fmt.Errorf("odm: %s on %s: the id %q is not an ObjectID in hex, as %v's _id is", op, c.Name(), s, c.model.Type)
		}
		id = oid
	}
	if id == nil {
		return nil, fmt.Errorf("odm: %s on %s: the id is nil", op, c.Name())
	}
	return bson.D{{Key: "_id", Value: id}}, nil
}

// FindByID is odm.Collection.FindByID.
func (c *Core[T]) FindByID(ctx context.Context, id any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	filter, err := c.idFilter("find", id)
	if err != nil {
		return nil, err
	}
	return c.FindOne(ctx, filter, opts...)
}

// DeleteByID is odm.Collection.DeleteByID.
func (c *Core[T]) DeleteByID(ctx context.Context, id any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	filter, err := c.idFilter("delete", id)
	if err != nil {
		return nil, err
	}
	return c.DeleteOne(ctx, filter, opts...)
}

// UpdateByID is odm.Collection.UpdateByID.
func (c *Core[T]) UpdateByID(ctx context.Context, id, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	filter, err := c.idFilter("update", id)
	if err != nil {
		return nil, err
	}
	return c.UpdateOne(ctx, filter, update, opts...)
}

// ReplaceByID is odm.Collection.ReplaceByID.
func (c *Core[T]) ReplaceByID(ctx context.Context, doc *T, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	filter, err := c.docIDFilter(doc, "replace")
	if err != nil {
		return nil, err
	}
	return c.ReplaceOne(ctx, filter, doc, opts...)
}

// docIDFilter is {_id: doc's _id}, for a write (op) of the document
// doc is.
func (c *Core[T]) docIDFilter(doc *T, op string) (bson.D, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, fmt.Errorf("odm: %s on %s: the document is nil", op, c.Name())
	}
	if c.id.Index == nil {
		return nil, fmt.Errorf("odm: %s on %s: %v has no _id field to %s by", op, c.Name(), c.model.Type, op)
	}
	f, _ := write.FieldByIndex(reflect.ValueOf(doc).Elem(), c.id.Index, false)
	if !f.IsValid() || f.IsZero() {
		return nil, fmt.Errorf("odm: %s on %s: the document's _id is zero; insert it first", op, c.Name())
	}
	return bson.D{{Key: "_id", Value: f.Interface()}}, nil
}
