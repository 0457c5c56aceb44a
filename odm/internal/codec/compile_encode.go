package codec

import (
	"fmt"
	"reflect"
	"time"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var (
	tZeroer = reflect.TypeFor[bson.Zeroer]()
	tD      = reflect.TypeFor[bson.D]()
)

// encoder is the encoder of a value of type t, compiled when the registry
// encodes t as the driver's defaults do, else the driver's.
func (c *compiler) encoder(t reflect.Type, where string) encodeFunc {
	enc, why := c.compiledEncoder(t, where)
	if enc != nil {
		return enc
	}
	c.fallbacks = append(c.fallbacks, fmt.Sprintf("%s (%s): encoded by the driver: %s", where, t, why))
	return newFallback(t).encode
}

// compiledEncoder is t's compiled encoder, or nil and why not.
func (c *compiler) compiledEncoder(t reflect.Type, where string) (encodeFunc, string) {
	switch t {
	case tTime, tObjectID, tDateTime, tByteSlice:
		if !c.sameEncoderAsDefault(t) {
			return nil, "the registry has its own encoder for it"
		}
		return exactEncoders[t], ""
	}
	probe, ok := kindProbes[t.Kind()]
	if !ok {
		return nil, "a kind the codec leaves to the driver"
	}
	if !c.encodedByKind(t, probe) {
		return nil, "an encoder of its own"
	}
	if t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		if _, err := c.reg.LookupEncoder(t.Elem()); err != nil {
			return nil, err.Error() // the driver's error, where and when it gives it
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		p, err := c.plan(t)
		if err != nil {
			return nil, err.Error()
		}
		return p.encodeValue, ""
	case reflect.Pointer:
		return pointerEncoder(c.encoder(t.Elem(), where)), ""
	case reflect.Slice:
		e := t.Elem()
		if e.Kind() == reflect.Interface || e.Kind() == reflect.Uint8 || t.ConvertibleTo(tD) {
			return nil, "a slice the driver writes as binary, a document or by each element's type"
		}
		return sliceEncoder(t, c.encoder(e, where+"[]")), ""
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, "a map key the driver converts"
		}
		return mapEncoder(t, c.encoder(t.Elem(), where+"[]")), ""
	}
	return kindEncoders[t.Kind()], ""
}

func (c *compiler) encodedByKind(t, probe reflect.Type) bool {
	got, err := c.reg.LookupEncoder(t)
	if err != nil {
		return false
	}
	kind, err := c.reg.LookupEncoder(probe)
	if err != nil {
		return false
	}
	return sameCodec(got, kind) && c.sameEncoderAsDefault(probe)
}

func (c *compiler) sameEncoderAsDefault(t reflect.Type) bool {
	got, err := c.reg.LookupEncoder(t)
	if err != nil {
		return false
	}
	def, err := c.def.LookupEncoder(t)
	if err != nil {
		return false
	}
	return sameFuncs(got, def)
}

// emptyFunc tells, for omitempty, whether the value at p is empty as the
// driver's isEmpty tells it: a Zeroer's IsZero; no elements; a nil
// interface, or for an interface type the registry has no encoder for,
// the value it holds empty; the zero value of any other kind but a struct
// (never empty).
func (c *compiler) emptyFunc(t reflect.Type) func(unsafe.Pointer) bool {
	switch {
	case t == tTime:
		return func(p unsafe.Pointer) bool { return (*time.Time)(p).IsZero() }
	case t.Kind() == reflect.Interface:
		if _, err := c.reg.LookupEncoder(t); err != nil {
			return func(p unsafe.Pointer) bool {
				v := reflect.NewAt(t, p).Elem()
				return v.IsNil() || isEmpty(v.Elem())
			}
		}
		return func(p unsafe.Pointer) bool { return reflect.NewAt(t, p).Elem().IsNil() }
	case t.Implements(tZeroer):
		return func(p unsafe.Pointer) bool {
			v := reflect.NewAt(t, p).Elem()
			if t.Kind() == reflect.Pointer && v.IsNil() {
				return true
			}
			return v.Interface().(bson.Zeroer).IsZero()
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) bool { return len(*(*string)(p)) == 0 }
	case reflect.Slice:
		return func(p unsafe.Pointer) bool { return (*sliceHeader)(p).len == 0 }
	case reflect.Map, reflect.Array:
		return func(p unsafe.Pointer) bool { return reflect.NewAt(t, p).Elem().Len() == 0 }
	case reflect.Struct:
		return func(unsafe.Pointer) bool { return false }
	case reflect.Pointer:
		return func(p unsafe.Pointer) bool { return *(*unsafe.Pointer)(p) == nil }
	}
	return func(p unsafe.Pointer) bool { return reflect.NewAt(t, p).Elem().IsZero() }
}

// isEmpty is the driver's isEmpty on a reflected value (a struct never
// empty, but for a Zeroer).
func isEmpty(v reflect.Value) bool {
	kind := v.Kind()
	if (kind != reflect.Pointer || !v.IsNil()) && v.Type().Implements(tZeroer) {
		return v.Interface().(bson.Zeroer).IsZero()
	}
	switch kind {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		return false
	}
	return !v.IsValid() || v.IsZero()
}
