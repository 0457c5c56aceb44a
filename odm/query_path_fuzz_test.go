package odm

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagodm/tagodm/odm/internal/query"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// validPath builds a path that exists in documents of t, choosing with f:
// a field of a struct, an index or the elements' field below an array, any
// key below a map, anything below an open value; with positional, "$",
// "$[]" or "$[id]" for an array element too.
func validPath(f *fuzzBytes, t reflect.Type, positional bool) string {
	var parts []string
	timeT := reflect.TypeFor[time.Time]()
	for depth := 0; depth < 12; depth++ {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == reflect.TypeFor[bson.D](), t == reflect.TypeFor[bson.Raw](), t.Kind() == reflect.Interface:
			if f.pick(2) == 0 {
				return strings.Join(parts, ".")
			}
			parts = append(parts, "k"+strconv.Itoa(f.pick(100)))
			continue // still open below
		case t.Kind() == reflect.Map:
			parts = append(parts, "key"+strconv.Itoa(f.pick(10)))
			t = t.Elem()
		case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8:
			t = t.Elem()
			switch f.pick(3) {
			case 0:
				parts = append(parts, strconv.Itoa(f.pick(5)))
			case 1:
				if positional {
					parts = append(parts, []string{"$", "$[]", "$[elem]"}[f.pick(3)])
				}
			}
			continue // the elements' own path follows
		case t.Kind() == reflect.Struct && t != timeT:
			n := t.NumField()
			var names []string
			var types []reflect.Type
			for i := range n {
				sf := t.Field(i)
				name, opts, _ := strings.Cut(sf.Tag.Get("bson"), ",")
				if strings.Contains(opts, "inline") {
					if sf.Type.Kind() == reflect.Struct {
						for j := range sf.Type.NumField() {
							in := sf.Type.Field(j)
							iname, _, _ := strings.Cut(in.Tag.Get("bson"), ",")
							names, types = append(names, iname), append(types, in.Type)
						}
					}
					continue
				}
				if !sf.IsExported() || name == "-" {
					continue
				}
				if name == "" {
					name = strings.ToLower(sf.Name)
				}
				names, types = append(names, name), append(types, sf.Type)
			}
			i := f.pick(len(names))
			parts = append(parts, names[i])
			t = types[i]
		default:
			return strings.Join(parts, ".")
		}
		if len(parts) > 0 && f.pick(3) == 0 {
			return strings.Join(parts, ".")
		}
	}
	return strings.Join(parts, ".")
}

var fuzzOps = []string{"$and", "$or", "$nor", "$elemMatch", "$not", "$all", "$in", "$gt", "$exists", "$expr", "$zz"}

// randomFilter builds an operator tree from f: keys are model paths,
// random strings or operators, values scalars, arrays or documents.
func randomFilter(f *fuzzBytes, t reflect.Type, depth int) bson.D {
	var d bson.D
	for range f.pick(4) + 1 {
		var key string
		switch f.pick(3) {
		case 0:
			key = validPath(f, t, false)
		case 1:
			key = fuzzOps[f.pick(len(fuzzOps))]
		default:
			key = string([]byte{byte('a' + f.pick(26)), byte('.' + f.pick(3)), byte('$' + f.pick(60))})
		}
		var v any = f.pick(100)
		if depth < 6 {
			switch f.pick(4) {
			case 0:
				v = randomFilter(f, t, depth+1)
			case 1:
				v = bson.A{randomFilter(f, t, depth+1), "x", randomFilter(f, t, depth+1)}
			case 2:
				v = bson.M{fuzzOps[f.pick(len(fuzzOps))]: randomFilter(f, t, depth+1)}
			}
		}
		d = append(d, bson.E{Key: key, Value: v})
	}
	return d
}

// FuzzPathCheck: a path built from the model is accepted in a filter, a
// sort, a projection and an update; a random operator tree never panics,
// and a refusal is always a *PathError.
func FuzzPathCheck(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{3, 0, 2, 1, 9, 9, 9, 200, 17, 4})
	f.Add([]byte("items.$[].sku"))
	orders := offline[pathOrder](f)
	typ := reflect.TypeFor[pathOrder]()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 512 {
			data = data[:512] // enough for any tree; keeps minimising quick
		}
		fb := &fuzzBytes{data: data}
		path := validPath(fb, typ, false)
		if path != "" {
			if _, err := orders.checkQuery("find", bson.D{{Key: path, Value: 1}}, query.QueryParts{Sort: bson.D{{Key: path, Value: 1}}, Projection: bson.D{{Key: path, Value: 1}}}); err != nil {
				t.Fatalf("a valid path %q refused: %v", path, err)
			}
			if _, err := orders.checkQuery("find", bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: path, Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: 1}}}}}}}}}, query.QueryParts{}); err != nil {
				t.Fatalf("a valid path %q under $or/$not refused: %v", path, err)
			}
		}
		if upd := validPath(fb, typ, true); upd != "" {
			if _, err := orders.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: bson.D{{Key: upd, Value: 1}}}}, false); err != nil {
				t.Fatalf("a valid update path %q refused: %v", upd, err)
			}
		}
		filter := randomFilter(fb, typ, 0)
		if _, err := orders.checkQuery("find", filter, query.QueryParts{Sort: filter, Projection: filter}); err != nil {
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("%v: not a *PathError: %v", filter, err)
			}
		}
		_, _ = orders.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: filter}, {Key: "$pull", Value: filter}}, false)
	})
}
