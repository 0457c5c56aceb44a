package codec

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// decoder is the state of one document's decoding.
type decoder struct {
	reg *bson.Registry
	// truncate is the truncate tag of the field being decoded, or of one
	// it is inside: doubles with a fraction then decode into integers.
	truncate bool
}

// decodeFunc decodes the BSON value v, of type t, into the Go value at p.
type decodeFunc func(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error

var (
	tKeyUnmarshaler  = reflect.TypeFor[bson.KeyUnmarshaler]()
	tTextUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// keyError is a decoding error with the path of keys it happened under,
// worded as the driver words its DecodeError.
type keyError struct {
	keys    []string // innermost first
	wrapped error
}

func (e *keyError) Error() string {
	return fmt.Sprintf("error decoding key %s: %v", strings.Join(e.Keys(), "."), e.wrapped)
}

func (e *keyError) Unwrap() error { return e.wrapped }

// Keys is the path of keys, outermost first, as bson.DecodeError's Keys.
func (e *keyError) Keys() []string {
	keys := make([]string, len(e.keys))
	for i, k := range e.keys {
		keys[len(keys)-1-i] = k
	}
	return keys
}

// underKey puts err under key.
func underKey(key string, err error) error {
	if ke, ok := err.(*keyError); ok {
		ke.keys = append(ke.keys, key)
		return ke
	}
	return &keyError{keys: []string{key}, wrapped: err}
}

// decodeDocument decodes a top-level document.
func (sp *structPlan) decodeDocument(d *decoder, doc []byte, p unsafe.Pointer) error {
	return sp.decodeElements(d, doc, p)
}

// decodeValue decodes an embedded document (or null) into the struct at p.
func (sp *structPlan) decodeValue(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	switch t {
	case bson.TypeEmbeddedDocument:
		return sp.decodeElements(d, v, p)
	case bson.TypeNull, bson.TypeUndefined:
		typedmemclr(sp.typ, p)
		return nil
	}
	return fmt.Errorf("cannot decode %v into a %s", t, sp.typ)
}

func (sp *structPlan) decodeElements(d *decoder, doc []byte, p unsafe.Pointer) error {
	it := newElements(doc)
	var e element
	next := 0 // documents mostly hold the keys in the struct's order
	outer := d.truncate
	// inlineAs is the decoder the driver goes on to decode the inline map's
	// entries with once it has decoded into a pointer an interface field
	// held: it keeps both in one variable.
	var inlineAs bson.ValueDecoder
	for it.next(&e) {
		var f *field
		if next < len(sp.fields) && sp.fields[next].name == string(e.key) {
			f = sp.fields[next]
		} else {
			f = sp.lookup(e.key)
		}
		if f == nil {
			if sp.inlineMap == nil {
				continue
			}
			if err := sp.decodeInline(d, &e, p, inlineAs); err != nil {
				return err
			}
			continue
		}
		next = f.pos + 1
		fp := f.addr(p, true)
		if sp.inlineMap != nil && f.typ.Kind() == reflect.Interface {
			if v := reflect.NewAt(f.typ, fp).Elem(); !v.IsNil() && v.Elem().Kind() == reflect.Pointer && !v.Elem().IsNil() {
				var err error
				if inlineAs, err = d.reg.LookupDecoder(v.Elem().Elem().Type()); err != nil {
					return err
				}
			}
		}
		d.truncate = outer || f.truncate
		err := f.dec(d, e.typ, e.value, fp)
		d.truncate = outer
		if err != nil {
			return underKey(f.name, err)
		}
	}
	return it.err
}

// lookup finds a key's field as the driver does: as it is, else in lower
// case.
func (sp *structPlan) lookup(key []byte) *field {
	if f, ok := sp.byName[string(key)]; ok {
		return f
	}
	for _, c := range key {
		if 'A' <= c && c <= 'Z' || c >= 0x80 {
			return sp.byName[strings.ToLower(string(key))]
		}
	}
	return nil
}

// decodeInline puts an unknown key in the inline map, creating it; as
// is the driver's decoder to take instead of the map's (see inlineAs).
func (sp *structPlan) decodeInline(d *decoder, e *element, p unsafe.Pointer, as bson.ValueDecoder) error {
	m := reflect.NewAt(sp.inlineMap.typ, unsafe.Add(p, sp.inlineMap.off)).Elem()
	if m.IsNil() {
		m.Set(reflect.MakeMap(m.Type()))
	}
	elem := reflect.New(m.Type().Elem())
	var err error
	if as != nil {
		err = driverValue(d, as, e.typ, e.value, elem.Elem())
	} else {
		err = sp.inlineMap.dec(d, e.typ, e.value, elem.UnsafePointer())
	}
	if err != nil {
		return err
	}
	m.SetMapIndex(reflect.ValueOf(string(e.key)), elem.Elem())
	return nil
}

// typedmemclr sets the value of type t at p to its zero.
func typedmemclr(t reflect.Type, p unsafe.Pointer) {
	reflect.NewAt(t, p).Elem().SetZero()
}

// pointerDecoder decodes into the pointee, allocating it when nil (a
// present one is reused, as the driver reuses it); null sets nil.
func pointerDecoder(elem reflect.Type, dec decodeFunc) decodeFunc {
	return func(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
		pp := (*unsafe.Pointer)(p)
		if t == bson.TypeNull || t == bson.TypeUndefined {
			*pp = nil
			return nil
		}
		if *pp == nil {
			*pp = reflect.New(elem).UnsafePointer()
		}
		return dec(d, t, v, *pp)
	}
}

// sliceDecoder decodes an array into fresh elements, reusing the slice's
// array when it is large enough, as the driver's append does.
func sliceDecoder(st reflect.Type, dec decodeFunc) decodeFunc {
	et := st.Elem()
	size := et.Size()
	return func(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
		switch t {
		case bson.TypeArray:
		case bson.TypeNull, bson.TypeUndefined:
			*(*sliceHeader)(p) = sliceHeader{}
			return nil
		case bson.TypeEmbeddedDocument:
			return fmt.Errorf("cannot decode document into %s", st)
		case bson.TypeBinary:
			return fmt.Errorf("SliceDecodeValue can only decode a binary into a byte array, got %v", t)
		case bson.TypeString:
			return fmt.Errorf("SliceDecodeValue can only decode a string into a byte array, got %v", et)
		default:
			return fmt.Errorf("cannot decode %v into a slice", t)
		}
		n, err := countElements(v)
		if err != nil {
			return err
		}
		sh := (*sliceHeader)(p)
		data := sh.data
		if sh.data == nil || sh.cap < n {
			data = reflect.MakeSlice(st, n, n).UnsafePointer()
		}
		it := newElements(v)
		var e element
		for i := 0; it.next(&e); i++ {
			ep := unsafe.Add(data, uintptr(i)*size)
			typedmemclr(et, ep)
			if err := dec(d, e.typ, e.value, ep); err != nil {
				return underKey(strconv.Itoa(i), err)
			}
		}
		if it.err != nil {
			return it.err
		}
		if data != sh.data {
			*sh = sliceHeader{data: data, len: n, cap: n}
		} else {
			sh.len = n
		}
		return nil
	}
}

// sliceHeader is a slice's layout.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

// countElements is the number of elements of an array or document.
func countElements(doc []byte) (int, error) {
	it := newElements(doc)
	var e element
	n := 0
	for it.next(&e) {
		n++
	}
	return n, it.err
}

// mapDecoder decodes a document into the map, creating it when nil and
// keeping its entries (as the driver does), each value fresh.
func mapDecoder(mt reflect.Type, dec decodeFunc) decodeFunc {
	et := mt.Elem()
	return func(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
		m := reflect.NewAt(mt, p).Elem()
		switch t {
		case bson.TypeEmbeddedDocument:
		case bson.TypeNull, bson.TypeUndefined:
			m.SetZero()
			return nil
		default:
			return fmt.Errorf("cannot decode %v into a %s", t, mt)
		}
		if m.IsNil() {
			m.Set(reflect.MakeMap(mt))
		}
		it := newElements(v)
		var e element
		elem := reflect.New(et)
		for it.next(&e) {
			elem.Elem().SetZero()
			if err := dec(d, e.typ, e.value, elem.UnsafePointer()); err != nil {
				return underKey(string(e.key), err)
			}
			m.SetMapIndex(reflect.ValueOf(string(e.key)).Convert(mt.Key()), elem.Elem())
		}
		return it.err
	}
}
