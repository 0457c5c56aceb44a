package odm

import (
	"context"
	"fmt"
	"iter"

	"github.com/tagodm/tagodm/odm/internal/union"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// UnionCollection is the repository of a union's collection. Its reads
// decode each document once, into its own variant's type, or into the
// union's fallback when its discriminator names no variant; its writes
// go through the write pipeline of the document's variant (defaults, an
// _id, a revision, the shard key's filter, the discriminator set). Its
// queries are path-checked against the fields of every variant.
type UnionCollection[I any] struct {
	r union.Repo[I]
}

// NewUnionCollection binds the union's collection on db. A union with
// problems (Err) or a nil db is an error.
func NewUnionCollection[I any](db *mongo.Database, u *Union[I]) (*UnionCollection[I], error) {
	switch {
	case u == nil:
		return nil, fmt.Errorf("odm: NewUnionCollection: the union is nil")
	case u.built.Err != nil:
		return nil, fmt.Errorf("odm: %s: %w", u.name, u.built.Err)
	case db == nil:
		return nil, fmt.Errorf("odm: %s: a database is needed, got nil", u.name)
	}
	c := &UnionCollection[I]{r: union.Repo[I]{Table: u.built.Table, Fallback: u.fallback, Raw: func(doc I) (bson.Raw, bool) {
		k, ok := any(doc).(interface{ unknownDocument() Unknown })
		if !ok {
			return nil, false
		}
		return k.unknownDocument().Raw, true
	}}}
	for _, i := range u.built.Entries {
		w, err := u.list[i].writer(db)
		if err != nil {
			return nil, err
		}
		c.r.Writers = append(c.r.Writers, w)
	}
	c.r.Coll = c.r.Writers[0].Driver()
	return c, nil
}

// Name is the collection's name.
func (c *UnionCollection[I]) Name() string { return c.r.Name() }

// Driver returns the underlying driver collection.
func (c *UnionCollection[I]) Driver() *mongo.Collection { return c.r.Coll }

// Decode decodes one document as the union's reads do, for the documents
// of Aggregate's cursor.
func (c *UnionCollection[I]) Decode(raw bson.Raw) (I, error) { return c.r.Decode(raw) }

// FindOne returns the first document filter matches, or the zero I (nil)
// and no error when none does.
func (c *UnionCollection[I]) FindOne(ctx context.Context, filter any, opts ...options.Lister[options.FindOneOptions]) (I, error) {
	return c.r.FindOne(ctx, filter, opts)
}

// Find returns every document filter matches.
func (c *UnionCollection[I]) Find(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) ([]I, error) {
	return c.r.Find(ctx, filter, opts)
}

// All ranges over the documents filter matches, streaming them from one
// cursor, which closes when the loop ends; an error ends the sequence.
func (c *UnionCollection[I]) All(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) iter.Seq2[I, error] {
	return c.r.All(ctx, filter, opts)
}

// CountDocuments counts the documents filter matches, of every variant.
func (c *UnionCollection[I]) CountDocuments(ctx context.Context, filter any, opts ...options.Lister[options.CountOptions]) (int64, error) {
	return c.r.CountDocuments(ctx, filter, opts)
}

// Aggregate runs pipeline on the collection as given and returns the
// driver's cursor; Decode reads its documents as the union does.
func (c *UnionCollection[I]) Aggregate(ctx context.Context, pipeline any, opts ...options.Lister[options.AggregateOptions]) (*mongo.Cursor, error) {
	return c.r.Aggregate(ctx, pipeline, opts)
}

// InsertOne inserts doc through its variant's write pipeline; a *V gets
// its generated _id back, a V value cannot. An Unknown (or a fallback)
// is inserted as exactly its raw document.
func (c *UnionCollection[I]) InsertOne(ctx context.Context, doc I, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	return c.r.InsertOne(ctx, doc, opts)
}

// ReplaceByID replaces the stored document of doc's _id with doc, through
// its variant's write pipeline; the document may change variant. An
// Unknown (or a fallback) replaces it with exactly its raw document.
func (c *UnionCollection[I]) ReplaceByID(ctx context.Context, doc I, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	return c.r.ReplaceByID(ctx, doc, opts)
}

// DeleteByID deletes the document of id, whatever its variant, through
// the write pipeline of the union's first variant.
func (c *UnionCollection[I]) DeleteByID(ctx context.Context, id any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	return c.r.Writers[0].DeleteByID(ctx, id, opts)
}
