package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
		return c.driverError(doc, err)
	}
	return nil
}

// driverError is the error to return for err: the driver's own, of its own
// type, when the driver decoding doc into a fresh value fails with the
// same words (as it does whenever the caller's value was fresh) or doc is
// not BSON; else err, worded as the driver words it (a caller's value
// already holding, say, a pointer in an interface, which the driver
// decodes into).
func (c *Codec) driverError(doc []byte, err error) (out error) {
	defer func() {
		if recover() != nil {
			out = err
		}
	}()
	derr := c.driverDecode(doc, reflect.New(c.typ).Interface())
	if derr != nil && (derr.Error() == err.Error() || corrupt(err)) {
		return derr
	}
	return err
}

// corrupt tells an error of bytes that are not BSON, which the driver words
// by where its reading stopped.
func corrupt(err error) bool {
	return errors.Is(err, errCorrupt) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func (c *Codec) driverDecode(doc []byte, ptr any) error {
	r := getReader(doc)
	defer putReader(r)
	dec := bson.NewDecoder(bson.NewDocumentReader(r))
	dec.SetRegistry(c.reg)
	return dec.Decode(ptr)
}

// Append appends the BSON document of *ptr, ptr a pointer to the codec's
// type, to dst, byte for byte as the driver's Encoder would with the
// codec's registry and opts (a map's entries in the map's order, as the
// driver's).
func (c *Codec) Append(dst []byte, ptr any, opts EncodeOptions) ([]byte, error) {
	rv := reflect.ValueOf(ptr)
	if c.plan == nil || rv.Type() != c.ptrType || rv.IsNil() {
		return c.driverAppend(dst, ptr, opts)
	}
	e := encoder{reg: c.reg, opts: opts}
	out, err := c.plan.encodeDocument(&e, dst, rv.UnsafePointer())
	if err != nil {
		return dst, c.driverEncodeError(ptr, opts, err)
	}
	return out, nil
}

// driverEncodeError is the driver's own error, of its own type, when it
// fails too; else err (the driver may panic on a second encoding where it
// failed once: it keeps a failed lookup as a nil encoder).
func (c *Codec) driverEncodeError(ptr any, opts EncodeOptions, err error) (out error) {
	defer func() {
		if recover() != nil {
			out = err
		}
	}()
	if _, derr := c.driverAppend(nil, ptr, opts); derr != nil {
		return derr
	}
	return err
}

func (c *Codec) driverAppend(dst []byte, ptr any, opts EncodeOptions) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := bson.NewEncoder(bson.NewDocumentWriter(buf))
	enc.SetRegistry(c.reg)
	if opts.NilSliceAsEmpty {
		enc.NilSliceAsEmpty()
	}
	if opts.NilMapAsEmpty {
		enc.NilMapAsEmpty()
	}
	if err := enc.Encode(ptr); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}
