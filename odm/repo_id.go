package odm

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/reflectx"
)

// idField is where a model keeps its _id.
type idField struct {
	index     []int        // nil when the model has no _id field
	typ       reflect.Type // the field's Go type
	omitEmpty bool
}

var objectIDType = reflect.TypeFor[bson.ObjectID]()

func findIDField(st *reflectx.Struct) idField {
	for _, f := range st.Fields {
		if f.Path == "_id" && f.Index != nil {
			return idField{index: f.Index, typ: f.Type, omitEmpty: f.OmitEmpty}
		}
	}
	return idField{}
}

// holdsObjectID reports whether the model's _id field can hold an
// ObjectID the repository or the driver generates: bson.ObjectID,
// *bson.ObjectID, or an interface such as any.
func (f idField) holdsObjectID() bool {
	if f.index == nil {
		return false
	}
	switch {
	case f.typ == objectIDType, f.typ.Kind() == reflect.Pointer && f.typ.Elem() == objectIDType:
		return true
	case f.typ.Kind() == reflect.Interface:
		return objectIDType.Implements(f.typ)
	}
	return false
}

// fieldByIndex walks index from v, allocating nil embedded struct pointers
// on the way when alloc is set; undo puts those pointers back to nil. It
// returns an invalid Value when the way is blocked by a nil pointer and
// alloc is not set.
func fieldByIndex(v reflect.Value, index []int, alloc bool) (reflect.Value, func()) {
	var allocated []reflect.Value
	undo := func() {
		for _, p := range allocated {
			p.SetZero()
		}
	}
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc || !v.CanSet() {
					return reflect.Value{}, undo
				}
				v.Set(reflect.New(v.Type().Elem()))
				allocated = append(allocated, v)
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, undo
}

// setGeneratedID sets an _id the server or the driver generated in doc,
// when doc's _id is zero and the field can hold it.
func (c *Collection[T]) setGeneratedID(doc *T, id any) {
	if rv, ok := id.(bson.RawValue); ok {
		id, _ = rv.ObjectIDOK()
	}
	oid, ok := id.(bson.ObjectID)
	if !ok || oid.IsZero() || !c.id.holdsObjectID() {
		return
	}
	f, _ := fieldByIndex(reflect.ValueOf(doc).Elem(), c.id.index, true)
	if !f.IsValid() || !f.CanSet() || !f.IsZero() {
		return
	}
	if f.Kind() == reflect.Pointer {
		f.Set(reflect.ValueOf(&oid))
		return
	}
	f.Set(reflect.ValueOf(oid))
}

// newID gives doc a new ObjectID when its _id field holds one and is zero,
// with or without omitempty: a zero ObjectID is never stored (without
// omitempty the driver would store ObjectId("000000000000000000000000"),
// and the next insert would be a duplicate). It returns the id as stored,
// nil when doc keeps its own, and a function that puts doc back.
func (c *Collection[T]) newID(doc *T) (*bson.RawValue, func()) {
	if !c.id.holdsObjectID() {
		return nil, func() {}
	}
	f, undo := fieldByIndex(reflect.ValueOf(doc).Elem(), c.id.index, true)
	if !f.IsValid() || !f.CanSet() {
		undo()
		return nil, func() {}
	}
	zero := f.IsZero() // a nil interface or pointer, or a zero ObjectID
	if f.Kind() == reflect.Pointer && !f.IsNil() {
		zero = f.Elem().IsZero()
	}
	if !zero {
		undo()
		return nil, func() {}
	}
	old := reflect.New(f.Type()).Elem()
	old.Set(f)
	oid := bson.NewObjectID()
	if f.Kind() == reflect.Pointer {
		f.Set(reflect.ValueOf(&oid))
	} else {
		f.Set(reflect.ValueOf(oid))
	}
	return &bson.RawValue{Type: bson.TypeObjectID, Value: oid[:]}, func() { f.Set(old); undo() }
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

// storedDocs tells which of n documents an InsertMany that returned err
// stored: all without an error; none when the error is not the server's
// report of failed documents; otherwise all but the failed ones, and, for
// an ordered insert, none after the first failure.
func storedDocs(n int, err error, ordered bool) func(int) bool {
	if err == nil {
		return func(int) bool { return true }
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) {
		return func(int) bool { return false }
	}
	failed := make(map[int]bool, len(bwe.WriteErrors))
	first := n
	for _, we := range bwe.WriteErrors {
		failed[we.Index] = true
		first = min(first, we.Index)
	}
	return func(i int) bool {
		if ordered && i >= first {
			return false
		}
		return !failed[i]
	}
}

// idFilter is {_id: id}, with a hex string read as an ObjectID when the
// model's _id is one.
func (c *Collection[T]) idFilter(op string, id any) (bson.D, error) {
	if c.id.index == nil {
		return nil, fmt.Errorf("odm: %s on %s: %v declares no _id field (bson:\"_id\"), so it cannot be found by id; add one, as every stored document has an _id", op, c.Name(), c.model.Type)
	}
	if s, ok := id.(string); ok && c.id.index != nil && (c.id.typ == objectIDType || c.id.typ.Kind() == reflect.Pointer && c.id.typ.Elem() == objectIDType) {
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

// FindByID returns the document whose _id is id, or nil and no error when
// there is none. For a model whose _id is an ObjectID, id may also be its
// hex string.
//
// On a sharded collection _id is unique only per shard on MongoDB (unless
// the key is {_id}), and per shard key value on DocumentDB: two documents
// may share one, and FindByID returns either. Find by _id and key to tell.
func (c *Collection[T]) FindByID(ctx context.Context, id any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	filter, err := c.idFilter("find", id)
	if err != nil {
		return nil, err
	}
	return c.FindOne(ctx, filter, opts...)
}

// DeleteByID deletes the document whose _id is id. On a sharded collection
// {_id} alone goes to every shard (see FindByID).
func (c *Collection[T]) DeleteByID(ctx context.Context, id any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	filter, err := c.idFilter("delete", id)
	if err != nil {
		return nil, err
	}
	return c.DeleteOne(ctx, filter, opts...)
}

// UpdateByID updates the document whose _id is id, as UpdateOne does. On a
// sharded collection {_id} alone goes to every shard (see FindByID).
func (c *Collection[T]) UpdateByID(ctx context.Context, id, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	filter, err := c.idFilter("update", id)
	if err != nil {
		return nil, err
	}
	return c.UpdateOne(ctx, filter, update, opts...)
}

// ReplaceByID replaces the stored document that has doc's _id with doc,
// as ReplaceOne does (guarding a revisioned doc's revision). doc must have
// a non-zero _id.
func (c *Collection[T]) ReplaceByID(ctx context.Context, doc *T, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	if doc == nil {
		return nil, fmt.Errorf("odm: replace on %s: the document is nil", c.Name())
	}
	if c.id.index == nil {
		return nil, fmt.Errorf("odm: replace on %s: %v has no _id field to replace by", c.Name(), c.model.Type)
	}
	f, _ := fieldByIndex(reflect.ValueOf(doc).Elem(), c.id.index, false)
	if !f.IsValid() || f.IsZero() {
		return nil, fmt.Errorf("odm: replace on %s: the document's _id is zero; insert it first", c.Name())
	}
	return c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: f.Interface()}}, doc, opts...)
}
