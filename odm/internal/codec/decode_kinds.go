package codec

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var errCannotTruncate = errors.New("float64 can only be truncated to a lower precision type when truncation is enabled")

// kindDecoders decode the driver's way into a value of a basic kind,
// named or not.
var kindDecoders = map[reflect.Kind]decodeFunc{
	reflect.Bool:    decodeBool,
	reflect.String:  decodeString,
	reflect.Int:     intDecoder(func(p unsafe.Pointer, i int64) { *(*int)(p) = int(i) }, math.MinInt64, math.MaxInt, "int"),
	reflect.Int8:    intDecoder(func(p unsafe.Pointer, i int64) { *(*int8)(p) = int8(i) }, math.MinInt8, math.MaxInt8, "int8"),
	reflect.Int16:   intDecoder(func(p unsafe.Pointer, i int64) { *(*int16)(p) = int16(i) }, math.MinInt16, math.MaxInt16, "int16"),
	reflect.Int32:   intDecoder(func(p unsafe.Pointer, i int64) { *(*int32)(p) = int32(i) }, math.MinInt32, math.MaxInt32, "int32"),
	reflect.Int64:   intDecoder(func(p unsafe.Pointer, i int64) { *(*int64)(p) = i }, math.MinInt64, math.MaxInt64, "int64"),
	reflect.Uint:    intDecoder(func(p unsafe.Pointer, i int64) { *(*uint)(p) = uint(i) }, 0, math.MaxInt64, "uint"),
	reflect.Uint8:   intDecoder(func(p unsafe.Pointer, i int64) { *(*uint8)(p) = uint8(i) }, 0, math.MaxUint8, "uint8"),
	reflect.Uint16:  intDecoder(func(p unsafe.Pointer, i int64) { *(*uint16)(p) = uint16(i) }, 0, math.MaxUint16, "uint16"),
	reflect.Uint32:  intDecoder(func(p unsafe.Pointer, i int64) { *(*uint32)(p) = uint32(i) }, 0, math.MaxUint32, "uint32"),
	reflect.Uint64:  intDecoder(func(p unsafe.Pointer, i int64) { *(*uint64)(p) = uint64(i) }, 0, math.MaxInt64, "uint64"),
	reflect.Float32: decodeFloat32,
	reflect.Float64: decodeFloat64,
}

// exactDecoders decode the types the driver has a codec of its own for,
// which the codec compiles.
var exactDecoders = map[reflect.Type]decodeFunc{
	tTime: decodeTime, tObjectID: decodeObjectID, tDateTime: decodeDateTime, tByteSlice: decodeByteSlice,
}

func decodeBool(_ *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	var b bool
	switch t {
	case bson.TypeInt32:
		b = le32(v) != 0
	case bson.TypeInt64:
		b = le64(v) != 0
	case bson.TypeDouble:
		b = f64(v) != 0
	case bson.TypeBoolean:
		b = v[0] != 0
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("cannot decode %v into a boolean", t)
	}
	*(*bool)(p) = b
	return nil
}

// integer reads an integer as the driver's integer decoders accept one:
// from int32, int64, a double without a fraction (or any with truncate),
// a boolean, or null.
func integer(d *decoder, t bson.Type, v []byte) (int64, error) {
	switch t {
	case bson.TypeInt32:
		return int64(le32(v)), nil
	case bson.TypeInt64:
		return le64(v), nil
	case bson.TypeDouble:
		f := f64(v)
		if !d.truncate && math.Floor(f) != f {
			return 0, errCannotTruncate
		}
		if f > float64(math.MaxInt64) {
			return 0, fmt.Errorf("%g overflows int64", f)
		}
		return int64(f), nil
	case bson.TypeBoolean:
		if v[0] != 0 {
			return 1, nil
		}
		return 0, nil
	case bson.TypeNull, bson.TypeUndefined:
		return 0, nil
	}
	return 0, fmt.Errorf("cannot decode %v into an integer type", t)
}

// intDecoder decodes an integer into a kind whose range is lo to hi (the
// driver's bounds, a negative number refused for an unsigned kind).
func intDecoder(set func(unsafe.Pointer, int64), lo, hi int64, name string) decodeFunc {
	return func(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
		i, err := integer(d, t, v)
		if err != nil {
			return err
		}
		if i < lo || i > hi {
			return fmt.Errorf("%d overflows %s", i, name)
		}
		set(p, i)
		return nil
	}
}

// float reads a number as the driver's float decoder accepts one.
func float(t bson.Type, v []byte) (float64, error) {
	switch t {
	case bson.TypeInt32:
		return float64(le32(v)), nil
	case bson.TypeInt64:
		return float64(le64(v)), nil
	case bson.TypeDouble:
		return f64(v), nil
	case bson.TypeBoolean:
		if v[0] != 0 {
			return 1, nil
		}
		return 0, nil
	case bson.TypeNull, bson.TypeUndefined:
		return 0, nil
	}
	return 0, fmt.Errorf("cannot decode %v into a float32 or float64 type", t)
}

func decodeFloat64(_ *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	f, err := float(t, v)
	if err == nil {
		*(*float64)(p) = f
	}
	return err
}

func decodeFloat32(d *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	f, err := float(t, v)
	if err != nil {
		return err
	}
	if !d.truncate && float64(float32(f)) != f {
		return errCannotTruncate
	}
	*(*float32)(p) = float32(f)
	return nil
}

func decodeString(_ *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	var s string
	var err error
	switch t {
	case bson.TypeString, bson.TypeSymbol:
		s, err = readString(v)
	case bson.TypeObjectID:
		return errors.New("decoding an object ID into a string is not supported by default " +
			"(set Decoder.ObjectIDAsHexString to enable decoding as a hexadecimal string)")
	case bson.TypeBinary:
		var sub byte
		var data []byte
		if sub, data, err = readBinary(v); err == nil {
			if sub != bson.TypeBinaryGeneric && sub != bson.TypeBinaryBinaryOld {
				return binaryError(sub, "string")
			}
			s = string(data)
		}
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("cannot decode %v into a string type", t)
	}
	if err == nil {
		*(*string)(p) = s
	}
	return err
}

func binaryError(sub byte, typeName string) error {
	return fmt.Errorf("only binary values with subtype 0x00 or 0x02 can be decoded into %s, but got subtype %v", typeName, sub)
}

func decodeByteSlice(_ *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	var data []byte
	switch t {
	case bson.TypeString, bson.TypeSymbol:
		s, err := readString(v)
		if err != nil {
			return err
		}
		data = []byte(s)
	case bson.TypeBinary:
		sub, b, err := readBinary(v)
		if err != nil {
			return err
		}
		if sub != bson.TypeBinaryGeneric && sub != bson.TypeBinaryBinaryOld {
			return binaryError(sub, "[]byte")
		}
		data = b
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("cannot decode %v into a []byte", t)
	}
	*(*[]byte)(p) = data
	return nil
}

func decodeObjectID(_ *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	var oid bson.ObjectID
	switch t {
	case bson.TypeObjectID:
		copy(oid[:], v)
	case bson.TypeString:
		s, err := readString(v)
		if err != nil {
			return err
		}
		if oid, err = bson.ObjectIDFromHex(s); err != nil {
			if len(s) != 12 {
				return fmt.Errorf("an ObjectID string must be exactly 12 bytes long (got %v)", len(s))
			}
			copy(oid[:], s)
		}
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("cannot decode %v into an ObjectID", t)
	}
	*(*bson.ObjectID)(p) = oid
	return nil
}

func decodeDateTime(_ *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	var dt int64
	switch t {
	case bson.TypeDateTime:
		dt = le64(v)
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("cannot decode %v into a DateTime", t)
	}
	*(*bson.DateTime)(p) = bson.DateTime(dt)
	return nil
}

// timeFormat is the layout the driver parses a string into a time with.
const timeFormat = "2006-01-02T15:04:05.999Z07:00"

func decodeTime(_ *decoder, t bson.Type, v []byte, p unsafe.Pointer) error {
	var tv time.Time
	switch t {
	case bson.TypeDateTime, bson.TypeInt64:
		ms := le64(v)
		tv = time.Unix(ms/1000, ms%1000*1000000)
	case bson.TypeString:
		s, err := readString(v)
		if err != nil {
			return err
		}
		if tv, err = time.Parse(timeFormat, s); err != nil {
			return err
		}
	case bson.TypeTimestamp:
		tv = time.Unix(int64(uint32(le64(v)>>32)), 0)
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("cannot decode %v into a time.Time", t)
	}
	*(*time.Time)(p) = tv.UTC()
	return nil
}
