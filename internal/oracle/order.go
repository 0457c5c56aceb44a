// Package oracle is an in-memory reading of MongoDB's documented query
// semantics: the comparison and sort order of BSON values across types,
// and how a filter matches a document (null and missing fields, arrays
// matched by their elements, numbers compared across types). The tests
// hold the repositories and the bare driver, run on a real server,
// against it. It knows nothing of the library and is used only by tests.
package oracle

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Bracket is the place of a BSON type in MongoDB's comparison order:
// values of different brackets compare by bracket alone.
func Bracket(t bson.Type) int {
	switch t {
	case bson.TypeMinKey:
		return 0
	case bson.TypeNull, bson.TypeUndefined, 0: // 0: a missing field
		return 1
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		return 2
	case bson.TypeString, bson.TypeSymbol:
		return 3
	case bson.TypeEmbeddedDocument:
		return 4
	case bson.TypeArray:
		return 5
	case bson.TypeBinary:
		return 6
	case bson.TypeObjectID:
		return 7
	case bson.TypeBoolean:
		return 8
	case bson.TypeDateTime:
		return 9
	case bson.TypeTimestamp:
		return 10
	case bson.TypeRegex:
		return 11
	case bson.TypeMaxKey:
		return 13
	}
	return 12
}

// Missing is the value of a field a document lacks: it compares as null.
var Missing = bson.RawValue{}

// Compare orders two values as MongoDB compares them: by bracket, then
// within one (numbers by value across their types, strings by bytes,
// documents and arrays element by element, the shorter first when one is
// a prefix of the other).
func Compare(a, b bson.RawValue) int {
	ba, bb := Bracket(a.Type), Bracket(b.Type)
	if ba != bb {
		return cmp(ba, bb)
	}
	switch ba {
	case 2:
		return compareNumbers(a, b)
	case 3:
		return strings.Compare(stringOf(a), stringOf(b))
	case 4, 5:
		return compareElements(a, b)
	case 6:
		sa, da := a.Binary()
		sb, db := b.Binary()
		if len(da) != len(db) {
			return cmp(len(da), len(db))
		}
		if sa != sb {
			return cmp(sa, sb)
		}
		return bytes.Compare(da, db)
	case 7:
		oa, ob := a.ObjectID(), b.ObjectID()
		return bytes.Compare(oa[:], ob[:])
	case 8:
		return cmp(boolInt(a.Boolean()), boolInt(b.Boolean()))
	case 9:
		return cmp(a.DateTime(), b.DateTime())
	case 10:
		ta, ia := a.Timestamp()
		tb, ib := b.Timestamp()
		if ta != tb {
			return cmp(ta, tb)
		}
		return cmp(ia, ib)
	case 11:
		pa, oa := a.Regex()
		pb, ob := b.Regex()
		if c := strings.Compare(pa, pb); c != 0 {
			return c
		}
		return strings.Compare(oa, ob)
	}
	return 0
}

func cmp[N int | int64 | uint32 | byte | float64](a, b N) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func stringOf(v bson.RawValue) string {
	if v.Type == bson.TypeSymbol {
		return v.Symbol()
	}
	return v.StringValue()
}

// compareNumbers compares numbers of any BSON numeric type by value; NaN
// is less than every other number, as MongoDB orders it. Integers compare
// exactly; an integer and a double compare through the double unless the
// integer is beyond 2^53, where the test data never goes.
func compareNumbers(a, b bson.RawValue) int {
	ia, aInt := intOf(a)
	ib, bInt := intOf(b)
	if aInt && bInt {
		return cmp(ia, ib)
	}
	fa, fb := floatOf(a), floatOf(b)
	switch na, nb := math.IsNaN(fa), math.IsNaN(fb); {
	case na && nb:
		return 0
	case na:
		return -1
	case nb:
		return 1
	}
	return cmp(fa, fb)
}

func intOf(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return int64(v.Int32()), true
	case bson.TypeInt64:
		return v.Int64(), true
	}
	return 0, false
}

func floatOf(v bson.RawValue) float64 {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32())
	case bson.TypeInt64:
		return float64(v.Int64())
	case bson.TypeDouble:
		return v.Double()
	case bson.TypeDecimal128:
		d := v.Decimal128()
		f, err := strconv.ParseFloat(d.String(), 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

// compareElements compares two documents or two arrays element by
// element: for each pair, the value's bracket, then (documents) the key,
// then the value.
func compareElements(a, b bson.RawValue) int {
	ea, _ := bson.Raw(a.Value).Elements()
	eb, _ := bson.Raw(b.Value).Elements()
	for i := 0; i < len(ea) && i < len(eb); i++ {
		va, vb := ea[i].Value(), eb[i].Value()
		if c := cmp(Bracket(va.Type), Bracket(vb.Type)); c != 0 {
			return c
		}
		if a.Type == bson.TypeEmbeddedDocument {
			if c := strings.Compare(ea[i].Key(), eb[i].Key()); c != 0 {
				return c
			}
		}
		if c := Compare(va, vb); c != 0 {
			return c
		}
	}
	return cmp(len(ea), len(eb))
}

// Equal reports values MongoDB's $eq holds equal: the same bracket and
// Compare 0 (so 1, 1.0 and NumberLong(1) are equal; null equals only
// null here, the missing field being the caller's concern).
func Equal(a, b bson.RawValue) bool { return Compare(a, b) == 0 }
