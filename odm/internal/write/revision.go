package write

import (
	"reflect"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// RevisionKind is the style of a model's revision field.
type RevisionKind int

const (
	RevNone    RevisionKind = iota
	RevCounter              // an int64 or int, starting at 1, incremented by each write
	RevUUID                 // an odm.UUID, renewed at each write (Beanie's revision_id)
)

// RevisionKindOf is the kind of the revision field of struct type t at
// index; RevNone when the model has no revision (an empty name).
func RevisionKindOf(t reflect.Type, name string, index []int) RevisionKind {
	if name == "" {
		return RevNone
	}
	ft := t.FieldByIndex(index).Type // steps through embedded pointers
	if ft == reflect.TypeFor[schema.UUID]() {
		return RevUUID
	}
	return RevCounter
}

// Read is the revision a field holds: an int64 or a UUID.
func (k RevisionKind) Read(f reflect.Value) any {
	if k == RevUUID {
		return f.Interface().(schema.UUID)
	}
	return f.Int()
}

// Write sets a revision field to v.
func (k RevisionKind) Write(f reflect.Value, v any) {
	if k == RevUUID {
		f.Set(reflect.ValueOf(v.(schema.UUID)))
		return
	}
	f.SetInt(v.(int64))
}

// Next is the revision a write stores after cur.
func (k RevisionKind) Next(cur any) any {
	if k == RevUUID {
		return schema.NewUUID()
	}
	return cur.(int64) + 1
}

// Stored is a revision as a filter or an update carries it.
func Stored(v any) any {
	if u, ok := v.(schema.UUID); ok {
		return u.BSONValue()
	}
	return v
}

// Value reads a revision as a filter gives it: any integer type for
// a counter (a filter may say int32), an odm.UUID, a binary subtype 4 or
// nil for a UUID.
func (k RevisionKind) Value(v any) (any, bool) {
	if k == RevUUID {
		switch v := v.(type) {
		case nil:
			return schema.UUID{}, true
		case schema.UUID:
			return v, true
		case *schema.UUID:
			if v == nil {
				return schema.UUID{}, true
			}
			return *v, true
		case bson.Binary:
			if v.Subtype == bson.TypeBinaryUUID && len(v.Data) == 16 {
				return schema.UUID(v.Data), true
			}
		}
		return nil, false
	}
	rv := reflect.ValueOf(v)
	switch {
	case !rv.IsValid():
		return nil, false
	case rv.CanInt():
		return rv.Int(), true
	case rv.CanUint() && rv.Uint() <= 1<<63-1:
		return int64(rv.Uint()), true
	}
	return nil, false
}
