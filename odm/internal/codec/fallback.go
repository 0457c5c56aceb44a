package codec

import (
	"bufio"
	"bytes"
	"errors"
	"reflect"
	"sync"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// fallback decodes or encodes one value with the driver: as the field V
// of a one-field struct, so that the driver's struct codec treats it as
// it treats any field (a present pointer, map or slice reused; truncate;
// minsize; a nil interface written as null).
type fallback struct {
	typ      reflect.Type
	plain    reflect.Type // struct{ V typ `bson:"v"` }
	truncate reflect.Type // struct{ V typ `bson:"v,truncate"` }
	minSize  reflect.Type // struct{ V typ `bson:"v,minsize"` }
}

func newFallback(t reflect.Type) *fallback {
	wrap := func(tag string) reflect.Type {
		return reflect.StructOf([]reflect.StructField{{Name: "V", Type: t, Tag: reflect.StructTag(`bson:"` + tag + `"`)}})
	}
	return &fallback{typ: t, plain: wrap("v"), truncate: wrap("v,truncate"), minSize: wrap("v,minsize")}
}

// wrapValue is the document {v: value}.
func wrapValue(t bson.Type, v []byte) []byte {
	doc := make([]byte, 0, 4+1+2+len(v)+1)
	doc = append(doc, 0, 0, 0, 0, byte(t), 'v', 0)
	doc = append(doc, v...)
	doc = append(doc, 0)
	putLE32(doc, int32(len(doc)))
	return doc
}

// valueFallback decodes an interface value that is not a struct field (a
// pointee, an element) with the registry's decoder for its type, as the
// driver does: into the interface itself, where a struct field holding a
// pointer would be decoded into the pointee.
func valueFallback(it reflect.Type) decodeFunc {
	return func(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
		dec, err := d.reg.LookupDecoder(it)
		if err != nil {
			return err
		}
		return driverValue(d, dec, t, v, reflect.NewAt(it, p).Elem())
	}
}

// driverValue decodes the value v, of type t, into val with the driver's
// decoder dec.
func driverValue(d *decoder, dec bson.ValueDecoder, t bson.Type, v []byte, val reflect.Value) error {
	r := getReader(wrapValue(t, v))
	defer putReader(r)
	dr, err := bson.NewDocumentReader(r).ReadDocument()
	if err != nil {
		return err
	}
	_, vr, err := dr.ReadElement()
	if err != nil {
		return err
	}
	return dec.DecodeValue(bson.DecodeContext{Registry: d.reg}, vr, val)
}

func (fb *fallback) decode(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	doc := wrapValue(t, v)
	wt := fb.plain
	if d.truncate {
		wt = fb.truncate
	}
	w := reflect.New(wt)
	field := reflect.NewAt(fb.typ, p).Elem()
	w.Elem().Field(0).Set(field)
	r := getReader(doc)
	dec := bson.NewDecoder(bson.NewDocumentReader(r))
	dec.SetRegistry(d.reg)
	err := dec.Decode(w.Interface())
	putReader(r)
	field.Set(w.Elem().Field(0))
	var de *bson.DecodeError
	if errors.As(err, &de) {
		keys := de.Keys()[1:]
		if len(keys) == 0 {
			return de.Unwrap()
		}
		ke := &keyError{wrapped: de.Unwrap()}
		for i := len(keys) - 1; i >= 0; i-- {
			ke.keys = append(ke.keys, keys[i])
		}
		return ke
	}
	return err
}

// readers are buffered readers for the driver's document reader, which
// takes a *bufio.Reader as it is (and allocates 4 KB for any other
// reader).
var readers = sync.Pool{New: func() any { return bufio.NewReader(nil) }}

func getReader(doc []byte) *bufio.Reader {
	r := readers.Get().(*bufio.Reader)
	r.Reset(bytes.NewReader(doc))
	return r
}

func putReader(r *bufio.Reader) {
	r.Reset(nil)
	readers.Put(r)
}

func putLE32(b []byte, n int32) {
	b[0], b[1], b[2], b[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
}

// encode appends the value with the driver: as the field V of a
// one-field struct, encoded with the options and registry the codec
// follows (minsize as the field's).
func (fb *fallback) encode(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
	wt := fb.plain
	if e.minSize {
		wt = fb.minSize
	}
	w := reflect.New(wt)
	w.Elem().Field(0).Set(reflect.NewAt(fb.typ, p).Elem())
	var buf bytes.Buffer
	enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
	enc.SetRegistry(e.reg)
	if e.opts.NilSliceAsEmpty {
		enc.NilSliceAsEmpty()
	}
	if e.opts.NilMapAsEmpty {
		enc.NilMapAsEmpty()
	}
	v := w.Interface()
	if e.inMap {
		v = w.Elem().Interface() // V not addressable, as a map's value
	}
	if err := enc.Encode(v); err != nil {
		return dst, 0, err
	}
	// {len, type, 'v', 0, value..., 0}
	doc := buf.Bytes()
	return append(dst, doc[7:len(doc)-1]...), bson.Type(doc[4]), nil
}
