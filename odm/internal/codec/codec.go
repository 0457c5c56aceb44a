package codec

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Codec is a struct type's compiled decoder.
type Codec struct {
	typ     reflect.Type
	ptrType reflect.Type
	reg     *bson.Registry
	plan    *structPlan
	// whole is why the type is left to the driver entirely ("" when it is
	// compiled).
	whole     string
	fallbacks []string
}

// Compile compiles t, a struct type, for the registry reg (nil: the
// driver's default registry). It does not fail: what it cannot compile
// is left to the driver, and listed by Fallbacks.
func Compile(reg *bson.Registry, t reflect.Type) *Codec {
	if reg == nil {
		reg = bson.NewRegistry()
	}
	c := &Codec{typ: t, ptrType: reflect.PointerTo(t), reg: reg}
	if t.Kind() != reflect.Struct {
		c.whole = "not a struct"
		c.fallbacks = []string{fmt.Sprintf("%s: %s", t, c.whole)}
		return c
	}
	cc := newCompiler(reg)
	plan, err := cc.plan(t)
	if err != nil {
		c.whole = err.Error()
		c.fallbacks = []string{fmt.Sprintf("%s: %s", t, c.whole)}
		return c
	}
	c.plan = plan
	c.fallbacks = cc.fallbacks
	return c
}

var (
	cacheMu sync.Mutex
	cache   = map[cacheKey]*Codec{}
)

type cacheKey struct {
	reg *bson.Registry
	typ reflect.Type
}

// For is Compile's result for reg and t, compiled once and shared.
func For(reg *bson.Registry, t reflect.Type) *Codec {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	k := cacheKey{reg, t}
	if c, ok := cache[k]; ok {
		return c
	}
	c := Compile(reg, t)
	cache[k] = c
	return c
}

// Type is the struct type the codec decodes.
func (c *Codec) Type() reflect.Type { return c.typ }

// Fallbacks lists what the codec leaves to the driver, one line each:
// the whole type, or a field's path and type, and why.
func (c *Codec) Fallbacks() []string { return append([]string(nil), c.fallbacks...) }

// Decode decodes the BSON document doc into ptr, a pointer to the codec's
// type, as the driver's Unmarshal would with the codec's registry.
func (c *Codec) Decode(doc []byte, ptr any) error {
	rv := reflect.ValueOf(ptr)
	if rv.Type() != c.ptrType || rv.IsNil() {
		return c.driverDecode(doc, ptr)
	}
	return c.decodeAt(doc, rv.UnsafePointer(), ptr)
}

// DecodeValue decodes doc into val, an addressable value of the codec's
// type.
func (c *Codec) DecodeValue(doc []byte, val reflect.Value) error {
	if val.Type() != c.typ || !val.CanAddr() {
		return fmt.Errorf("codec: DecodeValue needs an addressable %s, got %s", c.typ, val.Type())
	}
	return c.decodeAt(doc, val.Addr().UnsafePointer(), val.Addr().Interface())
}

func (c *Codec) decodeAt(doc []byte, p unsafe.Pointer, ptr any) error {
	if c.plan == nil {
		return c.driverDecode(doc, ptr)
	}
	d := decoder{reg: c.reg}
	if err := c.plan.decodeDocument(&d, doc, p); err != nil {
		// The driver's own error, of its own type, for what a caller
		// might inspect; decoding into a fresh value leaves ptr as the
		// codec left it.
		if derr := c.driverDecode(doc, reflect.New(c.typ).Interface()); derr != nil {
			return derr
		}
		return err
	}
	return nil
}

func (c *Codec) driverDecode(doc []byte, ptr any) error {
	dec := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(doc)))
	dec.SetRegistry(c.reg)
	return dec.Decode(ptr)
}
