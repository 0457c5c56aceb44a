package write

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RepositoryBSON are the BSON options of every repository's collection:
// a nil slice is stored as [] and a nil map as {}, never as null, because
// the other readers of a shared collection (Beanie's pydantic models, for
// one) refuse null where they expect a list or a document. A field where
// null is meant says so with a pointer.
func RepositoryBSON() *options.BSONOptions {
	return &options.BSONOptions{NilSliceAsEmpty: true, NilMapAsEmpty: true}
}

var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Encode marshals v as the repository's collection would: with reg, the
// model's own registry (schema.CodecsDeclarer), or the driver's default
// when nil, and RepositoryBSON's options.
func Encode(reg *bson.Registry, v any) (bson.Raw, error) {
	buf := encodeBuffers.Get().(*bytes.Buffer)
	defer encodeBuffers.Put(buf)
	buf.Reset()
	enc := bson.NewEncoder(bson.NewDocumentWriter(buf))
	if reg != nil {
		enc.SetRegistry(reg)
	}
	enc.NilSliceAsEmpty()
	enc.NilMapAsEmpty()
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// Touches reports whether a document path written by an update (or set by
// a filter's equality) covers or lies under the top-level field name.
func Touches(path, name string) bool {
	return path == name || strings.HasPrefix(path, name+".")
}

// Elements are a document's elements, as bson.E holding raw values,
// which the driver writes back unchanged.
func Elements(doc bson.Raw) (bson.D, error) {
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

// IsZeroObjectID reports a stored ObjectID that is all zeros: a Go zero
// value, never an id the driver or the server generated.
func IsZeroObjectID(v bson.RawValue) bool {
	oid, ok := v.ObjectIDOK()
	return ok && oid.IsZero()
}

// CheckTopLevelKeys refuses a key the repository would write as a field
// name that MongoDB reads as a path or an operator (from an ,inline map).
func CheckTopLevelKeys(collection string, elems bson.D) error {
	for _, e := range elems {
		if strings.Contains(e.Key, ".") || strings.HasPrefix(e.Key, "$") {
			return fmt.Errorf("odm: write on %s: the document's field %q would be read as a path or an operator; such a field cannot be written by name", collection, e.Key)
		}
	}
	return nil
}
