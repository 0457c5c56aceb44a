package repo

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm/internal/codec"
	"github.com/tagodm/tagodm/odm/internal/write"
)

// collectionRegistry is the registry a driver collection decodes with: the
// model's own, or the client's. The driver does not export it; it is read
// from the collection's field, checked by name and type, so that a driver
// that keeps it elsewhere leaves the repository on the driver's decoding
// rather than on a registry that may not be the collection's
// (TestTheCollectionsRegistryIsFound fails then).
func collectionRegistry(coll *mongo.Collection) *bson.Registry {
	if coll == nil {
		return nil
	}
	f := reflect.ValueOf(coll).Elem().FieldByName("registry")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*bson.Registry]() {
		return nil
	}
	return *(**bson.Registry)(unsafe.Pointer(f.UnsafeAddr()))
}

// codecOf is R's compiled decoder for the registry of c's collection, or
// nil when that registry cannot be known or R is not a struct (the
// repository then decodes through the driver).
func codecOf[R, T any](c *Core[T]) *codec.Codec {
	if c.reg == nil || reflect.TypeFor[R]().Kind() != reflect.Struct {
		return nil
	}
	if c.codec != nil && reflect.TypeFor[R]() == c.codec.Type() {
		return c.codec
	}
	return codec.For(c.reg, reflect.TypeFor[R]())
}

// DecodeSingle is res.Decode(out), through the compiled decoder.
func DecodeSingle[R, T any](c *Core[T], res *mongo.SingleResult, out *R) error {
	dec := codecOf[R](c)
	if dec == nil {
		return res.Decode(out)
	}
	raw, err := res.Raw()
	if err != nil {
		return err
	}
	return dec.Decode(raw, out)
}

// DecodeCurrent is cur.Decode(out), through the compiled decoder.
func DecodeCurrent[R, T any](c *Core[T], cur *mongo.Cursor, out *R) error {
	if dec := codecOf[R](c); dec != nil {
		return dec.Decode(cur.Current, out)
	}
	return cur.Decode(out)
}

// All is cur.All into a []R, through the compiled decoder: every document,
// then the cursor closed.
func All[R, T any](ctx context.Context, c *Core[T], cur *mongo.Cursor) ([]R, error) {
	dec := codecOf[R](c)
	var out []R
	if dec == nil {
		err := cur.All(ctx, &out)
		return out, err
	}
	defer cur.Close(context.Background())
	for cur.Next(ctx) {
		out = slices.Grow(out, cur.RemainingBatchLength()+1)
		out = out[:len(out)+1]
		if err := dec.Decode(cur.Current, &out[len(out)-1]); err != nil {
			return out, err
		}
	}
	return out, cur.Err()
}

// DecodeSingle is res.Decode(out) for T.
func (c *Core[T]) DecodeSingle(res *mongo.SingleResult, out *T) error {
	return DecodeSingle(c, res, out)
}

// repositoryEncoding are the codec's options for write.RepositoryBSON.
var repositoryEncoding = codec.EncodeOptions{NilSliceAsEmpty: true, NilMapAsEmpty: true}

// CodecFallbacks is odm.Collection.CodecFallbacks.
func (c *Core[T]) CodecFallbacks() []string {
	if err := c.Unbound(); err != nil {
		return []string{err.Error()}
	}
	if c.codec == nil {
		return []string{fmt.Sprintf("%v: not compiled (the registry of the collection is not known): read and written by the driver", reflect.TypeFor[T]())}
	}
	return c.codec.Fallbacks()
}

// encodeDoc is write.Encode(c.model.Codecs, doc), by the compiled codec
// for that registry.
func (c *Core[T]) encodeDoc(doc *T) (bson.Raw, error) {
	if reflect.TypeFor[T]().Kind() != reflect.Struct || doc == nil {
		return write.Encode(c.model.Codecs, doc)
	}
	return codec.For(c.model.Codecs, reflect.TypeFor[T]()).Append(nil, doc, repositoryEncoding)
}
