package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// errCorrupt is what the decoder returns for bytes that are not BSON; the
// driver's own error replaces it (see Codec.Decode).
var errCorrupt = errors.New("codec: corrupt BSON")

func le32(b []byte) int32  { return int32(binary.LittleEndian.Uint32(b)) }
func le64(b []byte) int64  { return int64(binary.LittleEndian.Uint64(b)) }
func f64(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }

// valueSize is the length of the value of BSON type t at the start of b,
// or -1 when b does not hold a whole value of that type.
func valueSize(t bson.Type, b []byte) int {
	n := -1
	switch t {
	case bson.TypeDouble, bson.TypeDateTime, bson.TypeInt64, bson.TypeTimestamp:
		n = 8
	case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol:
		if len(b) >= 4 {
			n = 4 + int(le32(b))
		}
	case bson.TypeEmbeddedDocument, bson.TypeArray, bson.TypeCodeWithScope:
		if len(b) >= 4 {
			n = int(le32(b))
		}
	case bson.TypeBinary:
		if len(b) >= 4 {
			n = 5 + int(le32(b))
		}
	case bson.TypeUndefined, bson.TypeNull, bson.TypeMinKey, bson.TypeMaxKey:
		n = 0
	case bson.TypeObjectID:
		n = 12
	case bson.TypeBoolean:
		n = 1
	case bson.TypeRegex:
		n = regexSize(b)
	case bson.TypeDBPointer:
		if len(b) >= 4 {
			n = 4 + int(le32(b)) + 12
		}
	case bson.TypeInt32:
		n = 4
	case bson.TypeDecimal128:
		n = 16
	}
	if n < 0 || n > len(b) {
		return -1
	}
	return n
}

// regexSize is the length of a regular expression's two C strings.
func regexSize(b []byte) int {
	first := indexZero(b)
	if first < 0 {
		return -1
	}
	second := indexZero(b[first+1:])
	if second < 0 {
		return -1
	}
	return first + 1 + second + 1
}

func indexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// element is one element of a document being read.
type element struct {
	typ   bson.Type
	key   []byte
	value []byte
}

// elements walks a document's elements; doc is the whole document, its
// length prefix included.
type elements struct {
	doc []byte
	pos int
	end int
	err error
}

// newElements starts reading doc, which must be a whole document.
func newElements(doc []byte) elements {
	if len(doc) < 5 {
		return elements{err: errCorrupt}
	}
	n := int(le32(doc))
	if n < 5 || n > len(doc) || doc[n-1] != 0 {
		return elements{err: errCorrupt}
	}
	return elements{doc: doc, pos: 4, end: n - 1}
}

// next reads the next element; false at the end or on an error (err).
func (it *elements) next(e *element) bool {
	if it.err != nil || it.pos >= it.end {
		return false
	}
	e.typ = bson.Type(it.doc[it.pos])
	rest := it.doc[it.pos+1 : it.end]
	k := indexZero(rest)
	if k < 0 {
		it.err = errCorrupt
		return false
	}
	e.key = rest[:k]
	rest = rest[k+1:]
	n := valueSize(e.typ, rest)
	if n < 0 {
		it.err = fmt.Errorf("%w: element %q of type %v", errCorrupt, e.key, e.typ)
		return false
	}
	e.value = rest[:n]
	it.pos += 1 + k + 1 + n
	return true
}

// readString is a BSON string value's text, checked as the driver checks
// it: a positive length and a terminating NUL.
func readString(v []byte) (string, error) {
	n := int(le32(v))
	if n <= 0 || 4+n > len(v) || v[3+n] != 0 {
		return "", errCorrupt
	}
	return string(v[4 : 3+n]), nil
}

// readBinary is a binary value's subtype and a copy of its data, as the
// driver reads it (an old binary, subtype 0x02, carries a second length).
func readBinary(v []byte) (byte, []byte, error) {
	n := int(le32(v))
	sub := v[4]
	data := v[5:]
	if sub == bson.TypeBinaryBinaryOld && n > 4 {
		n = int(le32(data))
		data = data[4:]
	}
	if n < 0 || n > len(data) {
		return 0, nil, errCorrupt
	}
	out := make([]byte, n)
	copy(out, data)
	return sub, out, nil
}
