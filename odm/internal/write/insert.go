package write

import (
	"errors"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// StoredDocs tells which of n documents an InsertMany that returned err
// stored: all without an error; none when the error is not the server's
// report of failed documents; otherwise all but the failed ones, and, for
// an ordered insert, none after the first failure.
func StoredDocs(n int, err error, ordered bool) func(int) bool {
	if err == nil {
		return func(int) bool { return true }
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) {
		return func(int) bool { return false }
	}
	failed := make(map[int]bool, len(bwe.WriteErrors))
	first := n
	for _, we := range bwe.WriteErrors {
		failed[we.Index] = true
		first = min(first, we.Index)
	}
	return func(i int) bool {
		if ordered && i >= first {
			return false
		}
		return !failed[i]
	}
}

// FieldByIndex walks index from v, allocating nil embedded struct pointers
// on the way when alloc is set; undo puts those pointers back to nil. It
// returns an invalid Value when the way is blocked by a nil pointer and
// alloc is not set.
func FieldByIndex(v reflect.Value, index []int, alloc bool) (reflect.Value, func()) {
	var allocated []reflect.Value
	undo := func() {
		for _, p := range allocated {
			p.SetZero()
		}
	}
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc || !v.CanSet() {
					return reflect.Value{}, undo
				}
				v.Set(reflect.New(v.Type().Elem()))
				allocated = append(allocated, v)
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, undo
}
