package codec

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// EncodeOptions are the encoding options of the driver the codec follows.
type EncodeOptions struct {
	// NilSliceAsEmpty writes a nil slice as [] (else null).
	NilSliceAsEmpty bool
	// NilMapAsEmpty writes a nil map as {} (else null).
	NilMapAsEmpty bool
}

// encoder is the state of one document's encoding.
type encoder struct {
	reg  *bson.Registry
	opts EncodeOptions
	// minSize is the minsize tag of the field being encoded, or of one it
	// is inside: integers that fit are written as int32.
	minSize bool
	// inMap is set inside a map's value, which the driver encodes as a
	// value that is not addressable: a type whose pointer has a marshaler
	// is then encoded by its kind.
	inMap bool
}

// encodeFunc appends the BSON value of the Go value at p to dst and says
// its type.
type encodeFunc func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error)

var errKeyNUL = errors.New("BSON element key cannot contain null bytes")

// appendKey appends an element's type (patched later) and key; the index
// of the type byte is returned.
func appendKey(dst []byte, key string) ([]byte, int, error) {
	if strings.IndexByte(key, 0) >= 0 {
		return dst, 0, errKeyNUL
	}
	at := len(dst)
	dst = append(dst, 0)
	dst = append(dst, key...)
	return append(dst, 0), at, nil
}

// encodeValue encodes the struct at p as an embedded document.
func (sp *structPlan) encodeValue(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
	dst, err := sp.encodeDocument(e, dst, p)
	return dst, bson.TypeEmbeddedDocument, err
}

// encodeDocument appends the struct at p as a document.
func (sp *structPlan) encodeDocument(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	outer := e.minSize
	for _, f := range sp.fields {
		fp := f.addr(p, false)
		if fp == nil {
			continue // a field of a nil inline pointer is left out, as by the driver
		}
		if f.encErr != nil {
			return dst, f.encErr
		}
		if f.omitEmpty && f.empty(fp) {
			continue
		}
		var at int
		var err error
		if dst, at, err = appendKey(dst, f.name); err != nil {
			return dst, err
		}
		e.minSize = outer || f.minSize
		var t bson.Type
		dst, t, err = f.enc(e, dst, fp)
		e.minSize = outer
		if err != nil {
			return dst, err
		}
		dst[at] = byte(t)
	}
	if sp.inlineMap != nil {
		var err error
		if dst, err = sp.encodeInline(e, dst, p); err != nil {
			return dst, err
		}
	}
	dst = append(dst, 0)
	putLE32(dst[start:], int32(len(dst)-start))
	return dst, nil
}

// encodeInline appends the inline map's entries, refusing a key a field
// has, as the driver does.
func (sp *structPlan) encodeInline(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, error) {
	m := reflect.NewAt(sp.inlineMap.typ, unsafe.Add(p, sp.inlineMap.off)).Elem()
	it := m.MapRange()
	elem := reflect.New(m.Type().Elem()).Elem()
	for it.Next() {
		key := it.Key().String()
		if _, taken := sp.byName[key]; taken {
			//lint:ignore ST1005 the driver's own words, which the codec's errors keep
			return dst, fmt.Errorf("Key %s of inlined map conflicts with a struct field name", key)
		}
		var at int
		var err error
		if dst, at, err = appendKey(dst, key); err != nil {
			return dst, err
		}
		elem.Set(it.Value())
		var t bson.Type
		inMap := e.inMap
		e.inMap = true
		dst, t, err = sp.inlineMap.enc(e, dst, elem.Addr().UnsafePointer())
		e.inMap = inMap
		if err != nil {
			return dst, err
		}
		dst[at] = byte(t)
	}
	return dst, nil
}

// pointerEncoder writes null for nil, else the pointee.
func pointerEncoder(enc encodeFunc) encodeFunc {
	return func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		pp := *(*unsafe.Pointer)(p)
		if pp == nil {
			return dst, bson.TypeNull, nil
		}
		inMap := e.inMap
		e.inMap = false // a pointee is addressable
		dst, t, err := enc(e, dst, pp)
		e.inMap = inMap
		return dst, t, err
	}
}

// sliceEncoder writes an array (null for nil, unless NilSliceAsEmpty).
func sliceEncoder(st reflect.Type, enc encodeFunc) encodeFunc {
	size := st.Elem().Size()
	return func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		sh := (*sliceHeader)(p)
		if sh.data == nil && !e.opts.NilSliceAsEmpty {
			return dst, bson.TypeNull, nil
		}
		start := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		var num [20]byte
		for i := 0; i < sh.len; i++ {
			at := len(dst)
			dst = append(dst, 0)
			dst = append(dst, strconv.AppendInt(num[:0], int64(i), 10)...)
			dst = append(dst, 0)
			var t bson.Type
			var err error
			if dst, t, err = enc(e, dst, unsafe.Add(sh.data, uintptr(i)*size)); err != nil {
				return dst, 0, err
			}
			dst[at] = byte(t)
		}
		dst = append(dst, 0)
		putLE32(dst[start:], int32(len(dst)-start))
		return dst, bson.TypeArray, nil
	}
}

// mapEncoder writes a document of the map's entries, in the map's order
// (null for nil, unless NilMapAsEmpty).
func mapEncoder(mt reflect.Type, enc encodeFunc) encodeFunc {
	return func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		m := reflect.NewAt(mt, p).Elem()
		if m.IsNil() && !e.opts.NilMapAsEmpty {
			return dst, bson.TypeNull, nil
		}
		start := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		elem := reflect.New(mt.Elem()).Elem()
		for it := m.MapRange(); it.Next(); {
			var at int
			var err error
			if dst, at, err = appendKey(dst, it.Key().String()); err != nil {
				return dst, 0, err
			}
			elem.Set(it.Value())
			var t bson.Type
			inMap := e.inMap
			e.inMap = true
			dst, t, err = enc(e, dst, elem.Addr().UnsafePointer())
			e.inMap = inMap
			if err != nil {
				return dst, 0, err
			}
			dst[at] = byte(t)
		}
		dst = append(dst, 0)
		putLE32(dst[start:], int32(len(dst)-start))
		return dst, bson.TypeEmbeddedDocument, nil
	}
}
