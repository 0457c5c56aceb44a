package odm

import (
	"reflect"

	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/schema"
)

// splitArgs sorts Init's arguments into options and models: []any lists,
// slices of models and ModelSources flatten; options are applied to cfg.
// The faults in an option's arguments are added to models as a
// *schema.ValidationError, which the models' validation reports in order;
// anything else is left to the models' description to refuse, naming its
// type.
func splitArgs(args []any, cfg *engine.Config, models *[]any) {
	for _, a := range args {
		switch a := a.(type) {
		case Option:
			if a == nil {
				continue
			}
			if ps := cfg.Apply(engine.Option(a)); len(ps) > 0 {
				*models = append(*models, &schema.ValidationError{Problems: ps})
			}
		case *schema.ValidationError:
			*models = append(*models, a)
		case []any:
			splitArgs(a, cfg, models)
		case []Option:
			for _, o := range a {
				splitArgs([]any{o}, cfg, models)
			}
		case schema.ModelSource:
			splitArgs(a.All(), cfg, models)
		default:
			if v := reflect.ValueOf(a); isModelList(v) {
				for i := 0; i < v.Len(); i++ {
					splitArgs([]any{v.Index(i).Interface()}, cfg, models)
				}
				continue
			}
			*models = append(*models, a)
		}
	}
}

// isModelList reports an unnamed slice or array type whose elements may
// be models: structs, pointers to structs or interfaces ([]User,
// []*User). A named one, such as bson.D, is a value of its own.
func isModelList(v reflect.Value) bool {
	if !v.IsValid() || v.Kind() != reflect.Slice && v.Kind() != reflect.Array || v.Type().Name() != "" {
		return false
	}
	e := v.Type().Elem()
	for e.Kind() == reflect.Pointer {
		e = e.Elem()
	}
	return e.Kind() == reflect.Struct || e.Kind() == reflect.Interface
}
