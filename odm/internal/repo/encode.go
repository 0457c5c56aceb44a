package repo

import (
	"reflect"
	"runtime/debug"

	"github.com/tagodm/tagodm/odm/internal/write"
	"github.com/tagodm/tagodm/odm/outcome"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// defaulter is odm.Defaulter.
type defaulter interface{ SetDefaults() }

// setDefaults calls doc's SetDefaults, a panic in it the error.
func setDefaults[T any](doc *T) (err error) {
	d, ok := any(doc).(defaulter)
	if !ok {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = &outcome.PanicError{Func: "SetDefaults", GoType: reflect.TypeFor[T]().String(), Value: r, Stack: debug.Stack()}
		}
	}()
	d.SetDefaults()
	return nil
}

// defaultsDocument is a new T with its defaults, encoded; nil when T has
// none. A panic in SetDefaults is a *PanicError.
func defaultsDocument[T any](reg *bson.Registry) (bson.Raw, error) {
	var zero T
	if _, ok := any(&zero).(defaulter); !ok {
		return nil, nil
	}
	if err := setDefaults(&zero); err != nil {
		return nil, err
	}
	return write.Encode(reg, &zero)
}
