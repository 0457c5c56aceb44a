package codec

import (
	"bytes"
	"errors"
	"reflect"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// fallback decodes one value with the driver: as the field V of a
// one-field struct, so that the driver's struct codec treats it as it
// treats any field (a present pointer, map or slice reused; truncate).
type fallback struct {
	typ      reflect.Type
	plain    reflect.Type // struct{ V typ `bson:"v"` }
	truncate reflect.Type // struct{ V typ `bson:"v,truncate"` }
}

func newFallback(t reflect.Type) *fallback {
	wrap := func(tag string) reflect.Type {
		return reflect.StructOf([]reflect.StructField{{Name: "V", Type: t, Tag: reflect.StructTag(`bson:"` + tag + `"`)}})
	}
	return &fallback{typ: t, plain: wrap("v"), truncate: wrap("v,truncate")}
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
		dr, err := bson.NewDocumentReader(bytes.NewReader(wrapValue(t, v))).ReadDocument()
		if err != nil {
			return err
		}
		_, vr, err := dr.ReadElement()
		if err != nil {
			return err
		}
		return dec.DecodeValue(bson.DecodeContext{Registry: d.reg}, vr, reflect.NewAt(it, p).Elem())
	}
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
	dec := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(doc)))
	dec.SetRegistry(d.reg)
	err := dec.Decode(w.Interface())
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

func putLE32(b []byte, n int32) {
	b[0], b[1], b[2], b[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
}
