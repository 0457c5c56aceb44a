package odm

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/tagodm/tagodm/odm/internal/outcome"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// repositoryBSON are the BSON options of every repository's collection:
// a nil slice is stored as [] and a nil map as {}, never as null, because
// the other readers of a shared collection (Beanie's pydantic models, for
// one) refuse null where they expect a list or a document. A field where
// null is meant says so with a pointer.
func repositoryBSON() *options.BSONOptions {
	return &options.BSONOptions{NilSliceAsEmpty: true, NilMapAsEmpty: true}
}

var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodeDocument marshals v as the repository's collection would: with the
// driver's default registry and repositoryBSON's options.
func encodeDocument(v any) (bson.Raw, error) {
	buf := encodeBuffers.Get().(*bytes.Buffer)
	defer encodeBuffers.Put(buf)
	buf.Reset()
	enc := bson.NewEncoder(bson.NewDocumentWriter(buf))
	enc.NilSliceAsEmpty()
	enc.NilMapAsEmpty()
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// Defaulter is a model that gives a new document its defaults: the values
// another reader of the collection fills in for a missing field (Beanie's
// field defaults, say), set in Go so that the stored document carries them.
// SetDefaults is called on a pointer to the document before every write of
// a whole document: InsertOne, InsertMany, ReplaceOne, ReplaceByID,
// FindOneAndReplace, and the insert of an upsert (UpdateOne,
// FindOneAndUpdate and UpdateByID with upsert add the defaults under
// $setOnInsert, for the fields the filter and the update leave alone).
//
// SetDefaults should set only fields that are still zero, so that what the
// caller set is kept. A field whose zero value is meaningful and differs
// from its default (a bool that defaults to true) is best a pointer.
//
// A panic in SetDefaults (on the empty document of an upsert, say) does
// not take the process down: the write recovers it and returns an error,
// naming the write and the collection, that wraps a *PanicError (GoType
// the model's type, Func "SetDefaults", the panic's value and stack), and
// sends nothing; InsertMany sends none of its documents. What SetDefaults
// set before it panicked stays in the document.
type Defaulter interface {
	SetDefaults()
}

// setDefaults calls doc's SetDefaults, when its type has one, returning its
// panic as a *PanicError.
func setDefaults[T any](doc *T) (err error) {
	d, ok := any(doc).(Defaulter)
	if !ok {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = outcome.NewPanicError("SetDefaults", reflect.TypeFor[T]().String(), r)
		}
	}()
	d.SetDefaults()
	return nil
}

// defaultsDocument is a new T with its defaults, encoded; nil when T has
// none. A panic in SetDefaults is a *PanicError.
func defaultsDocument[T any]() (bson.Raw, error) {
	var zero T
	if _, ok := any(&zero).(Defaulter); !ok {
		return nil, nil
	}
	if err := setDefaults(&zero); err != nil {
		return nil, err
	}
	return encodeDocument(&zero)
}

// touches reports whether a document path written by an update (or set by
// a filter's equality) covers or lies under the top-level field name.
func touches(path, name string) bool {
	return path == name || strings.HasPrefix(path, name+".")
}

// rawElements are a document's elements, as bson.E holding raw values,
// which the driver writes back unchanged.
func rawElements(doc bson.Raw) (bson.D, error) {
	elems, err := doc.Elements()
	if err != nil {
		return nil, err
	}
	out := make(bson.D, len(elems))
	for i, e := range elems {
		out[i] = bson.E{Key: e.Key(), Value: e.Value()}
	}
	return out, nil
}

// isZeroObjectID reports a stored ObjectID that is all zeros: a Go zero
// value, never an id the driver or the server generated.
func isZeroObjectID(v bson.RawValue) bool {
	oid, ok := v.ObjectIDOK()
	return ok && oid.IsZero()
}

// checkTopLevelKeys refuses a key the repository would write as a field
// name that MongoDB reads as a path or an operator (from an ,inline map).
func checkTopLevelKeys(collection string, elems bson.D) error {
	for _, e := range elems {
		if strings.Contains(e.Key, ".") || strings.HasPrefix(e.Key, "$") {
			return fmt.Errorf("odm: write on %s: the document's field %q would be read as a path or an operator; such a field cannot be written by name", collection, e.Key)
		}
	}
	return nil
}
