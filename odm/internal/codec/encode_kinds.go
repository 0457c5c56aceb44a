package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"time"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func appendI32(dst []byte, i int32) []byte { return binary.LittleEndian.AppendUint32(dst, uint32(i)) }
func appendI64(dst []byte, i int64) []byte { return binary.LittleEndian.AppendUint64(dst, uint64(i)) }

// kindEncoders encode a value of a basic kind, named or not, as the
// driver's default encoders do.
var kindEncoders = map[reflect.Kind]encodeFunc{
	reflect.Bool: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		if *(*bool)(p) {
			return append(dst, 1), bson.TypeBoolean, nil
		}
		return append(dst, 0), bson.TypeBoolean, nil
	},
	reflect.String: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendString(dst, *(*string)(p)), bson.TypeString, nil
	},
	reflect.Int8: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendI32(dst, int32(*(*int8)(p))), bson.TypeInt32, nil
	},
	reflect.Int16: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendI32(dst, int32(*(*int16)(p))), bson.TypeInt32, nil
	},
	reflect.Int32: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendI32(dst, *(*int32)(p)), bson.TypeInt32, nil
	},
	reflect.Int: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendInt(dst, int64(*(*int)(p)), true)
	},
	reflect.Int64: func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendInt(dst, *(*int64)(p), e.minSize)
	},
	reflect.Uint8: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendI32(dst, int32(*(*uint8)(p))), bson.TypeInt32, nil
	},
	reflect.Uint16: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendI32(dst, int32(*(*uint16)(p))), bson.TypeInt32, nil
	},
	reflect.Uint: func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendUint(dst, uint64(*(*uint)(p)), e.minSize)
	},
	reflect.Uint32: func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendUint(dst, uint64(*(*uint32)(p)), e.minSize)
	},
	reflect.Uint64: func(e *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendUint(dst, *(*uint64)(p), e.minSize)
	},
	reflect.Float32: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendDouble(dst, float64(*(*float32)(p))), bson.TypeDouble, nil
	},
	reflect.Float64: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendDouble(dst, *(*float64)(p)), bson.TypeDouble, nil
	},
}

// exactEncoders encode the types the driver has a codec of its own for,
// which the codec compiles.
var exactEncoders = map[reflect.Type]encodeFunc{
	tTime: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendI64(dst, int64(bson.NewDateTimeFromTime(*(*time.Time)(p)))), bson.TypeDateTime, nil
	},
	tObjectID: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return append(dst, (*(*bson.ObjectID)(p))[:]...), bson.TypeObjectID, nil
	},
	tDateTime: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		return appendI64(dst, int64(*(*bson.DateTime)(p))), bson.TypeDateTime, nil
	},
	tByteSlice: func(_ *encoder, dst []byte, p unsafe.Pointer) ([]byte, bson.Type, error) {
		b := *(*[]byte)(p)
		if b == nil {
			return dst, bson.TypeNull, nil
		}
		dst = appendI32(dst, int32(len(b)))
		return append(append(dst, 0), b...), bson.TypeBinary, nil
	},
}

func appendString(dst []byte, s string) []byte {
	dst = appendI32(dst, int32(len(s)+1))
	return append(append(dst, s...), 0)
}

func appendDouble(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// appendInt writes an int32 when small says so and the value fits.
func appendInt(dst []byte, i int64, small bool) ([]byte, bson.Type, error) {
	if small && math.MinInt32 <= i && i <= math.MaxInt32 {
		return appendI32(dst, int32(i)), bson.TypeInt32, nil
	}
	return appendI64(dst, i), bson.TypeInt64, nil
}

func appendUint(dst []byte, u uint64, minSize bool) ([]byte, bson.Type, error) {
	if minSize && u <= math.MaxInt32 {
		return appendI32(dst, int32(u)), bson.TypeInt32, nil
	}
	if u > math.MaxInt64 {
		return dst, 0, fmt.Errorf("%d overflows int64", u)
	}
	return appendI64(dst, int64(u)), bson.TypeInt64, nil
}
