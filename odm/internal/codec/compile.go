package codec

import (
	"fmt"
	"reflect"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// compiler builds the plans and decoders of one type and the types it
// reaches.
type compiler struct {
	reg *bson.Registry
	// def is a registry of the driver's defaults, for telling a type the
	// driver decodes by its kind from one with a codec of its own.
	def       *bson.Registry
	plans     map[reflect.Type]*structPlan
	fallbacks []string
}

func newCompiler(reg *bson.Registry) *compiler {
	return &compiler{reg: reg, def: bson.NewRegistry(), plans: map[reflect.Type]*structPlan{}}
}

var (
	tTime      = reflect.TypeFor[time.Time]()
	tObjectID  = reflect.TypeFor[bson.ObjectID]()
	tDateTime  = reflect.TypeFor[bson.DateTime]()
	tByteSlice = reflect.TypeFor[[]byte]()
	tString    = reflect.TypeFor[string]()
)

// kindProbes are plain types of each kind the codec compiles: a type the
// registry decodes with the same decoder as its kind's probe is decoded
// by its kind.
var kindProbes = map[reflect.Kind]reflect.Type{
	reflect.Bool: reflect.TypeFor[bool](), reflect.String: tString,
	reflect.Int: reflect.TypeFor[int](), reflect.Int8: reflect.TypeFor[int8](),
	reflect.Int16: reflect.TypeFor[int16](), reflect.Int32: reflect.TypeFor[int32](),
	reflect.Int64: reflect.TypeFor[int64](), reflect.Uint: reflect.TypeFor[uint](),
	reflect.Uint8: reflect.TypeFor[uint8](), reflect.Uint16: reflect.TypeFor[uint16](),
	reflect.Uint32: reflect.TypeFor[uint32](), reflect.Uint64: reflect.TypeFor[uint64](),
	reflect.Float32: reflect.TypeFor[float32](), reflect.Float64: reflect.TypeFor[float64](),
	reflect.Struct: reflect.TypeFor[struct{}](), reflect.Pointer: reflect.TypeFor[*int](),
	reflect.Slice: reflect.TypeFor[[]int](), reflect.Map: reflect.TypeFor[map[string]int](),
}

// plan compiles a struct type's plan, once per type (a recursive type
// reaches its own plan while it is being built).
func (c *compiler) plan(t reflect.Type) (*structPlan, error) {
	if p, ok := c.plans[t]; ok {
		return p, nil
	}
	fields, inlineMap, err := describe(t, map[reflect.Type]bool{})
	if err != nil {
		return nil, err
	}
	p := &structPlan{typ: t, fields: fields, inlineMap: inlineMap, byName: make(map[string]*field, len(fields))}
	c.plans[t] = p
	for i, f := range fields {
		f.pos = i
		p.byName[f.name] = f
	}
	for _, f := range fields {
		f.dec = c.decoder(f.typ, t.String()+"."+f.goName, true)
		f.enc = c.encoder(f.typ, t.String()+"."+f.goName)
		f.empty = c.emptyFunc(f.typ)
		if _, err := c.reg.LookupEncoder(f.typ); err != nil && f.typ.Kind() != reflect.Interface {
			f.encErr = err // the driver's struct codec fails on the field, empty or not
		}
	}
	if inlineMap != nil {
		if _, err := c.reg.LookupDecoder(inlineMap.typ.Elem()); err != nil {
			delete(c.plans, t)
			return nil, err
		}
		inlineMap.dec = c.decoder(inlineMap.typ.Elem(), t.String()+"."+inlineMap.goName+"[]", false)
		inlineMap.enc = c.encoder(inlineMap.typ.Elem(), t.String()+"."+inlineMap.goName+"[]")
	}
	p.dec = p.decodeValue
	return p, nil
}

// decoder is the decoder of a value of type t, compiled when the registry
// decodes t as the driver's defaults do, else the driver's (where names
// the value for Fallbacks); field tells a struct field from an element or
// a pointee, which the driver decodes differently when an interface.
func (c *compiler) decoder(t reflect.Type, where string, field bool) decodeFunc {
	dec, why := c.compiled(t, where)
	if dec != nil {
		return dec
	}
	c.fallbacks = append(c.fallbacks, fmt.Sprintf("%s (%s): %s", where, t, why))
	if !field && t.Kind() == reflect.Interface {
		return valueFallback(t)
	}
	return newFallback(t).decode
}

// compiled is t's compiled decoder, or nil and why not.
func (c *compiler) compiled(t reflect.Type, where string) (decodeFunc, string) {
	switch t {
	case tTime, tObjectID, tDateTime, tByteSlice:
		if !c.sameAsDefault(t) {
			return nil, "the registry has its own decoder for it"
		}
		return exactDecoders[t], ""
	}
	probe, ok := kindProbes[t.Kind()]
	if !ok {
		return nil, "a kind the codec leaves to the driver"
	}
	if !c.decodedByKind(t, probe) {
		return nil, "a decoder of its own"
	}
	switch t.Kind() {
	case reflect.Struct:
		p, err := c.plan(t)
		if err != nil {
			return nil, err.Error()
		}
		return p.decodeValue, ""
	case reflect.Pointer:
		return c.pointerDecoder(t, where)
	case reflect.Slice:
		return c.sliceDecoder(t, where)
	case reflect.Map:
		return c.mapDecoder(t, where)
	}
	return kindDecoders[t.Kind()], ""
}

// decodedByKind tells whether the registry decodes t with the decoder it
// has for t's kind, and that one is the driver's default.
func (c *compiler) decodedByKind(t, probe reflect.Type) bool {
	got, err := c.reg.LookupDecoder(t)
	if err != nil {
		return false
	}
	kind, err := c.reg.LookupDecoder(probe)
	if err != nil {
		return false
	}
	return sameCodec(got, kind) && c.sameAsDefault(probe)
}

// sameAsDefault tells whether the registry decodes t with a decoder of the
// same type as the driver's default registry does.
func (c *compiler) sameAsDefault(t reflect.Type) bool {
	got, err := c.reg.LookupDecoder(t)
	if err != nil {
		return false
	}
	def, err := c.def.LookupDecoder(t)
	if err != nil {
		return false
	}
	return sameFuncs(got, def)
}

// sameCodec tells whether two decoders are the same one.
func sameCodec(a, b any) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb {
		return false
	}
	if ta.Comparable() {
		return a == b
	}
	return sameFuncs(a, b)
}

// sameFuncs tells whether two codecs are of one type and, where they are
// functions or hold functions, the same functions.
func sameFuncs(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	switch va.Kind() {
	case reflect.Func:
		return va.Pointer() == vb.Pointer()
	case reflect.Struct:
		for i := 0; i < va.NumField(); i++ {
			if va.Field(i).Kind() == reflect.Func && va.Field(i).Pointer() != vb.Field(i).Pointer() {
				return false
			}
		}
	}
	return true
}

func (c *compiler) pointerDecoder(t reflect.Type, where string) (decodeFunc, string) {
	if _, err := c.reg.LookupDecoder(t.Elem()); err != nil {
		return nil, err.Error() // the driver's error, where and when it gives it
	}
	elem := c.decoder(t.Elem(), where, false)
	return pointerDecoder(t.Elem(), elem), ""
}

func (c *compiler) sliceDecoder(t reflect.Type, where string) (decodeFunc, string) {
	e := t.Elem()
	if e.Kind() == reflect.Interface || e.Kind() == reflect.Uint8 {
		// An interface slice decodes into its present elements; a named
		// byte slice takes binary and string values: the driver's.
		return nil, "a slice the driver decodes element by element"
	}
	if _, err := c.reg.LookupDecoder(e); err != nil {
		return nil, err.Error()
	}
	elem := c.decoder(e, where+"[]", false)
	return sliceDecoder(t, elem), ""
}

func (c *compiler) mapDecoder(t reflect.Type, where string) (decodeFunc, string) {
	k := t.Key()
	if k.Kind() != reflect.String || reflect.PointerTo(k).Implements(tKeyUnmarshaler) ||
		reflect.PointerTo(k).Implements(tTextUnmarshaler) {
		return nil, "a map key the driver converts"
	}
	if _, err := c.reg.LookupDecoder(t.Elem()); err != nil {
		return nil, err.Error()
	}
	elem := c.decoder(t.Elem(), where+"[]", false)
	return mapDecoder(t, elem), ""
}
