package write

import (
	"reflect"

	"github.com/tagodm/tagodm/internal/reflectx"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// IDField is where a model keeps its _id.
type IDField struct {
	Index     []int        // nil when the model has no _id field
	Type      reflect.Type // the field's Go type
	OmitEmpty bool
}

// ObjectIDType is bson.ObjectID's type.
var ObjectIDType = reflect.TypeFor[bson.ObjectID]()

// FindIDField is the _id field of the struct st describes.
func FindIDField(st *reflectx.Struct) IDField {
	for _, f := range st.Fields {
		if f.Path == "_id" && f.Index != nil {
			return IDField{Index: f.Index, Type: f.Type, OmitEmpty: f.OmitEmpty}
		}
	}
	return IDField{}
}

// HoldsObjectID reports whether the model's _id field can hold an
// ObjectID the repository or the driver generates: bson.ObjectID,
// *bson.ObjectID, or an interface such as any.
func (f IDField) HoldsObjectID() bool {
	if f.Index == nil {
		return false
	}
	switch {
	case f.Type == ObjectIDType, f.Type.Kind() == reflect.Pointer && f.Type.Elem() == ObjectIDType:
		return true
	case f.Type.Kind() == reflect.Interface:
		return ObjectIDType.Implements(f.Type)
	}
	return false
}

// SetGenerated sets an _id the server or the driver generated in doc (a
// struct value),
// when doc's _id is zero and the field can hold it.
func (f IDField) SetGenerated(doc reflect.Value, id any) {
	if rv, ok := id.(bson.RawValue); ok {
		id, _ = rv.ObjectIDOK()
	}
	oid, ok := id.(bson.ObjectID)
	if !ok || oid.IsZero() || !f.HoldsObjectID() {
		return
	}
	v, ok := fieldAt(doc, f.Index)
	if !ok {
		v, _ = FieldByIndex(doc, f.Index, true)
	}
	if !v.IsValid() || !v.CanSet() || !v.IsZero() {
		return
	}
	if v.Type() == ObjectIDType && v.CanAddr() {
		*(v.Addr().Interface().(*bson.ObjectID)) = oid // no boxing: a bulk insert sets thousands
		return
	}
	if v.Kind() == reflect.Pointer {
		v.Set(reflect.ValueOf(&oid))
		return
	}
	v.Set(reflect.ValueOf(oid))
}

// New gives doc (a struct value) a new ObjectID when its _id field holds
// one and is zero, with or without omitempty: a zero ObjectID is never stored (without
// omitempty the driver would store ObjectId("000000000000000000000000"),
// and the next insert would be a duplicate). It returns the id as stored,
// nil when doc keeps its own, and a function that puts doc back.
func (f IDField) New(doc reflect.Value) (*bson.RawValue, func()) {
	if !f.HoldsObjectID() {
		return nil, func() {}
	}
	v, undo := FieldByIndex(doc, f.Index, true)
	if !v.IsValid() || !v.CanSet() {
		undo()
		return nil, func() {}
	}
	zero := v.IsZero() // a nil interface or pointer, or a zero ObjectID
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		zero = v.Elem().IsZero()
	}
	if !zero {
		undo()
		return nil, func() {}
	}
	old := reflect.New(v.Type()).Elem()
	old.Set(v)
	oid := bson.NewObjectID()
	if v.Kind() == reflect.Pointer {
		v.Set(reflect.ValueOf(&oid))
	} else {
		v.Set(reflect.ValueOf(oid))
	}
	return &bson.RawValue{Type: bson.TypeObjectID, Value: oid[:]}, func() { v.Set(old); undo() }
}

// IDOf is the _id of doc as the driver encodes it; nil when doc does not
// encode or holds none (for an error's message only).
func IDOf(doc any) any {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil
	}
	v, err := bson.Raw(raw).LookupErr("_id")
	if err != nil {
		return nil
	}
	return v
}

// fieldAt is the field at index in v, when no nil pointer is on the way;
// unlike FieldByIndex it allocates nothing.
func fieldAt(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
