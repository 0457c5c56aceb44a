package union

import (
	"context"
	"fmt"
	"iter"
	"reflect"
	"slices"

	"github.com/tagodm/tagodm/odm/internal/codec"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Writer writes one variant's documents through the variant's own
// repository (its write pipeline), reaching every variant's documents.
type Writer interface {
	InsertOne(ctx context.Context, doc any, opts []options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error)
	ReplaceByID(ctx context.Context, doc any, opts []options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error)
	DeleteByID(ctx context.Context, id any, opts []options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error)
	Driver() *mongo.Collection
}

// Repo is the machinery of a union's repository: its reads decode each
// document once, from its raw bytes, into its variant's type or the
// fallback; its writes go to the writer of the document's variant.
type Repo[I any] struct {
	Table   *Table
	Coll    *mongo.Collection
	Writers []Writer // one per variant, in the table's order
	// Fallback wraps a document of no variant; Raw reads it back from
	// one (false for a variant's value).
	Fallback func(value string, raw bson.Raw) I
	Raw      func(I) (bson.Raw, bool)
}

// Name is the collection's name.
func (r *Repo[I]) Name() string { return r.Coll.Name() }

// Decode decodes one document: into its variant's type, or the fallback.
func (r *Repo[I]) Decode(raw bson.Raw) (I, error) {
	i := r.Table.Of(raw)
	if i < 0 {
		value, _ := r.Table.Value(raw)
		return r.Fallback(value, slices.Clone(raw)), nil
	}
	v, err := r.Table.Variants[i].Decode(raw)
	if err != nil {
		var zero I
		return zero, fmt.Errorf("odm: decoding a document of %s (_id %v) as %v: %w", r.Name(), raw.Lookup("_id"), r.Table.Variants[i].Model.Type, err)
	}
	return v.(I), nil
}

// FindOne is the first document filter matches; the zero I when none.
func (r *Repo[I]) FindOne(ctx context.Context, filter any, opts []options.Lister[options.FindOneOptions]) (I, error) {
	var zero I
	var o options.FindOneOptions
	apply(&o, opts)
	filter, err := r.check(ctx, "find", filter, pathcheck.Parts{Sort: o.Sort, Projection: o.Projection})
	if err != nil {
		return zero, err
	}
	raw, err := r.Coll.FindOne(ctx, filter, opts...).Raw()
	if err == mongo.ErrNoDocuments {
		return zero, nil
	} else if err != nil {
		return zero, fmt.Errorf("odm: find on %s: %w", r.Name(), err)
	}
	return r.Decode(raw)
}

// All streams the documents filter matches from one cursor.
func (r *Repo[I]) All(ctx context.Context, filter any, opts []options.Lister[options.FindOptions]) iter.Seq2[I, error] {
	return func(yield func(I, error) bool) {
		var zero I
		var o options.FindOptions
		apply(&o, opts)
		filter, err := r.check(ctx, "find", filter, pathcheck.Parts{Sort: o.Sort, Projection: o.Projection})
		if err != nil {
			yield(zero, err)
			return
		}
		cur, err := r.Coll.Find(ctx, filter, opts...)
		if err != nil {
			yield(zero, fmt.Errorf("odm: find on %s: %w", r.Name(), err))
			return
		}
		defer cur.Close(context.WithoutCancel(ctx))
		for cur.Next(ctx) {
			v, err := r.Decode(cur.Current)
			if err != nil {
				yield(zero, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield(zero, fmt.Errorf("odm: find on %s: %w", r.Name(), err))
		}
	}
}

// Find is every document filter matches.
func (r *Repo[I]) Find(ctx context.Context, filter any, opts []options.Lister[options.FindOptions]) ([]I, error) {
	var out []I
	for v, err := range r.All(ctx, filter, opts) {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// CountDocuments counts the documents filter matches.
func (r *Repo[I]) CountDocuments(ctx context.Context, filter any, opts []options.Lister[options.CountOptions]) (int64, error) {
	filter, err := r.check(ctx, "count", filter, pathcheck.Parts{})
	if err != nil {
		return 0, err
	}
	n, err := r.Coll.CountDocuments(ctx, filter, opts...)
	if err != nil {
		return 0, fmt.Errorf("odm: count on %s: %w", r.Name(), err)
	}
	return n, nil
}

// Aggregate runs pipeline as given.
func (r *Repo[I]) Aggregate(ctx context.Context, pipeline any, opts []options.Lister[options.AggregateOptions]) (*mongo.Cursor, error) {
	if ctx == nil {
		return nil, fmt.Errorf("odm: aggregate on %s: a context is needed, got nil", r.Name())
	}
	cur, err := r.Coll.Aggregate(ctx, pipeline, opts...)
	if err != nil {
		return nil, fmt.Errorf("odm: aggregate on %s: %w", r.Name(), err)
	}
	return cur, nil
}

// InsertOne inserts doc: a variant's value through its writer, a
// fallback as its raw document.
func (r *Repo[I]) InsertOne(ctx context.Context, doc I, opts []options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	if raw, ok := r.Raw(doc); ok {
		if ctx == nil {
			return nil, fmt.Errorf("odm: insert on %s: a context is needed, got nil", r.Name())
		}
		res, err := r.Coll.InsertOne(ctx, raw, opts...)
		if err != nil {
			return nil, fmt.Errorf("odm: insert on %s: %w", r.Name(), err)
		}
		return res, nil
	}
	w, err := r.writer("insert", doc)
	if err != nil {
		return nil, err
	}
	return w.InsertOne(ctx, doc, opts)
}

// ReplaceByID replaces the document of doc's _id: a variant's value
// through its writer, a fallback with exactly its raw document.
func (r *Repo[I]) ReplaceByID(ctx context.Context, doc I, opts []options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	if raw, ok := r.Raw(doc); ok {
		id, err := raw.LookupErr("_id")
		if ctx == nil || err != nil {
			return nil, fmt.Errorf("odm: replace on %s: a context and a document with an _id are needed", r.Name())
		}
		res, err := r.Coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, raw, opts...)
		if err != nil {
			return nil, fmt.Errorf("odm: replace on %s: %w", r.Name(), err)
		}
		return res, nil
	}
	w, err := r.writer("replace", doc)
	if err != nil {
		return nil, err
	}
	return w.ReplaceByID(ctx, doc, opts)
}

// writer is the writer of doc's variant.
func (r *Repo[I]) writer(op string, doc I) (Writer, error) {
	v := reflect.ValueOf(doc)
	if !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("odm: %s on %s: the document is nil", op, r.Name())
	}
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	i := r.Table.Index(t)
	if i < 0 {
		return nil, fmt.Errorf("odm: %s on %s: %v is no variant of %s", op, r.Name(), t, r.Table.Name)
	}
	return r.Writers[i], nil
}

// check refuses a nil ctx and checks the query's paths.
func (r *Repo[I]) check(ctx context.Context, op string, filter any, parts pathcheck.Parts) (any, error) {
	if ctx == nil {
		return nil, fmt.Errorf("odm: %s on %s: a context is needed, got nil", op, r.Name())
	}
	return r.Table.Check(op, r.Name(), filter, parts)
}

// apply applies the option setters of opts to o.
func apply[O any](o *O, opts []options.Lister[O]) {
	for _, l := range opts {
		if l == nil {
			continue
		}
		for _, set := range l.List() {
			_ = set(o)
		}
	}
}

// Decoder decodes a document into a V, returned as V or, when ptr, *V:
// with V's compiled decoder (package codec) when V is a struct.
func Decoder[V any](reg *bson.Registry, ptr bool) func(bson.Raw) (any, error) {
	var dec *codec.Codec
	if reflect.TypeFor[V]().Kind() == reflect.Struct {
		dec = codec.For(reg, reflect.TypeFor[V]())
	}
	return func(raw bson.Raw) (any, error) {
		p := new(V)
		var err error
		if dec != nil {
			err = dec.Decode(raw, p)
		} else {
			err = Unmarshal(reg, raw, p)
		}
		if err != nil {
			return nil, err
		}
		if ptr {
			return p, nil
		}
		return *p, nil
	}
}

// VariantRepo is what a union writes a variant's documents through: the
// variant's own repository.
type VariantRepo[V any] interface {
	InsertOne(ctx context.Context, doc *V, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error)
	ReplaceByID(ctx context.Context, doc *V, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error)
	DeleteByID(ctx context.Context, id any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error)
	Driver() *mongo.Collection
}

// WriterOf is the Writer of variant V through its repository r.
func WriterOf[V any](r VariantRepo[V]) Writer { return variantWriter[V]{r} }

type variantWriter[V any] struct{ r VariantRepo[V] }

// pointer is doc as a *V: the caller's pointer, or a copy of a value.
func pointer[V any](doc any) *V {
	if p, ok := doc.(*V); ok {
		return p
	}
	v := doc.(V)
	return &v
}

func (w variantWriter[V]) InsertOne(ctx context.Context, doc any, opts []options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	return w.r.InsertOne(ctx, pointer[V](doc), opts...)
}

func (w variantWriter[V]) ReplaceByID(ctx context.Context, doc any, opts []options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	return w.r.ReplaceByID(ctx, pointer[V](doc), opts...)
}

func (w variantWriter[V]) DeleteByID(ctx context.Context, id any, opts []options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	return w.r.DeleteByID(ctx, id, opts...)
}

func (w variantWriter[V]) Driver() *mongo.Collection { return w.r.Driver() }
