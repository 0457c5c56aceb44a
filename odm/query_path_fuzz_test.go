package odm

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/query"
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
// and a refusal is always a *PathError. The key, any bytes at all, is put
// wherever a key can stand (see keyedQueries) on one of a closed, an open,
// a strict inline and an ExtraPaths model: the check never panics, its
// answer is nil or a *PathError, the same when asked again (from the
// cache), and the same for the filter as bson.Raw; a key holding a NUL
// byte is always refused.
func FuzzPathCheck(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7}, "status")
	f.Add([]byte{3, 0, 2, 1, 9, 9, 9, 200, 17, 4}, "items.sku")
	f.Add([]byte("items.$[].sku"), "$elemMatch")
	f.Add([]byte{1, 2, 3}, "name\x00")
	f.Add([]byte{9, 4, 1}, "\x00")
	f.Add([]byte{5, 5, 5, 5}, "\xff\xfe.\x00$[")
	f.Add([]byte{7, 1, 0, 4}, "$natural")
	f.Add([]byte{2, 8, 6}, "items.$")
	f.Add([]byte{4, 4}, "pod_name.x")
	orders := offline[testmodels.PathOrder](f)
	typ := reflect.TypeFor[testmodels.PathOrder]()
	models := []keyChecker{
		keyCheckerOf(orders, "status", "items"), keyCheckerOf(offline[pathOpen](f), "kind", "items"),
		keyCheckerOf(offline[pathStrict](f), "kind", "items"), keyCheckerOf(offline[pathPython](f), "name", ""),
	}
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		if len(data) > 512 {
			data = data[:512] // enough for any tree; keeps minimising quick
		}
		if len(key) > 256 {
			key = key[:256]
		}
		fb := &fuzzBytes{data: data}
		path := validPath(fb, typ, false)
		if path != "" {
			if _, err := orders.checkQuery("find", bson.D{{Key: path, Value: 1}}, pathcheck.Parts{Sort: bson.D{{Key: path, Value: 1}}, Projection: bson.D{{Key: path, Value: 1}}}); err != nil {
				t.Fatalf("a valid path %q refused: %v", path, err)
			}
			if _, err := orders.checkQuery("find", bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: path, Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: 1}}}}}}}}}, pathcheck.Parts{}); err != nil {
				t.Fatalf("a valid path %q under $or/$not refused: %v", path, err)
			}
		}
		if upd := validPath(fb, typ, true); upd != "" {
			if _, err := orders.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: bson.D{{Key: upd, Value: 1}}}}, false); err != nil {
				t.Fatalf("a valid update path %q refused: %v", upd, err)
			}
		}
		filter := randomFilter(fb, typ, 0)
		if _, err := orders.checkQuery("find", filter, pathcheck.Parts{Sort: filter, Projection: filter}); err != nil {
			var pe *query.PathError
			if !errors.As(err, &pe) {
				t.Fatalf("%v: not a *PathError: %v", filter, err)
			}
		}
		_, _ = orders.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: filter}, {Key: "$pull", Value: filter}}, false)

		m := models[fb.pick(len(models))]
		valid := path // a path of testmodels.PathOrder; another model's own field
		if m.field != "status" {
			valid = m.field
		}
		for _, q := range keyedQueries(key, valid, m.field, m.array) {
			m.check(t, q, key)
		}
	})
}

// keyedQuery is one placement of a fuzzed key: a read's filter and parts,
// or an update; nul says the key stands where a NUL byte in it must be
// refused.
type keyedQuery struct {
	name   string
	filter any
	parts  pathcheck.Parts
	update bson.D
	nul    bool
}

// keyedQueries puts key wherever a key can stand (beside field, a
// top-level field of the model, and below array, an array of documents
// of the model's, "" when it has none, so that the key is the only path a
// check can refuse): at the top of a filter,
// under $and, $or, $nor, $not and $elemMatch, as an operator, joined to a
// valid path by a dot on either side, in a bson.M beside a field, in a
// sort (plain and $meta), a projection (plain, nested, operators), as
// Distinct's field, and in every update operator's keys, $rename's target,
// $pull's condition and $push's $sort.
func keyedQueries(key, valid, field, array string) []keyedQuery {
	d := func(k string, v any) bson.D { return bson.D{{Key: k, Value: v}} }
	if valid == "" {
		valid = "items"
	}
	op := strings.HasPrefix(key, "$")
	q := []keyedQuery{
		{name: "filter", filter: d(key, 1), nul: true},
		{name: "filter, a document", filter: d(key, d("a", 1)), nul: true},
		{name: "bson.M beside a field", filter: bson.M{field: 1, key: bson.M{"$gt": 2}}, nul: true},
		{name: "$and", filter: d("$and", bson.A{d(field, 1), d(key, 2)}), nul: true},
		{name: "$or of bson.M", filter: d("$or", []bson.M{{key: 1}}), nul: true},
		{name: "$nor", filter: d("$nor", bson.A{d(key, d("$exists", true))}), nul: true},
		// A document whose first key is no operator is a value (an
		// equality), which the check does not walk: the driver refuses a
		// NUL in it when it encodes the command.
		{name: "as an operator", filter: d(field, d(key, 1)), nul: op},
		{name: "as a top-level operator", filter: d(key, bson.A{d(field, 1)}), nul: true},
		{name: "$not", filter: d(valid, d("$not", d(key, 1))), nul: op},
		{name: "below a path", filter: d(valid+"."+key, 1), nul: true},
		{name: "above a path", filter: d(key+"."+valid, 1), nul: true},
		{name: "sort", filter: bson.D{}, parts: pathcheck.Parts{Sort: bson.D{{Key: field, Value: 1}, {Key: key, Value: -1}}}, nul: true},
		{name: "sort by $meta", filter: bson.D{}, parts: pathcheck.Parts{Sort: d(key, d("$meta", "textScore"))}, nul: true},
		{name: "projection", filter: bson.D{}, parts: pathcheck.Parts{Projection: bson.M{key: 1}}, nul: true},
		{name: "nested projection", filter: bson.D{}, parts: pathcheck.Parts{Projection: d("address", d(key, 0))}, nul: true},
		{name: "projection operator", filter: bson.D{}, parts: pathcheck.Parts{Projection: d(key, d("$slice", bson.A{1, 2}))}, nul: true},
		{name: "computed projection", filter: bson.D{}, parts: pathcheck.Parts{Projection: d(key, "$status")}, nul: true},
		{name: "positional projection", filter: bson.D{}, parts: pathcheck.Parts{Projection: d(key+".$", 1)}, nul: true},
		{name: "Distinct's field", filter: bson.D{}, parts: pathcheck.Parts{Field: key}, nul: true},
		{name: "$set", update: d("$set", d(key, 1))},
		{name: "$unset below a path", update: d("$unset", d(valid+"."+key, ""))},
		{name: "as an update operator", update: d(key, d(field, 1))},
		{name: "$rename's target", update: d("$rename", d(field, key))},
	}
	if array != "" { // the placements below an array of the model's
		q = append(q, []keyedQuery{
			{name: "$elemMatch", filter: d(array, d("$elemMatch", d(key, 1))), nul: true},
			{name: "$elemMatch's $or", filter: d(array, d("$elemMatch", d("$or", bson.A{d(key, 1)}))), nul: true},
			{name: "$all of $elemMatch", filter: d(array, d("$all", bson.A{d("$elemMatch", d(key, 1))})), nul: true},
			{name: "$elemMatch projection", filter: bson.D{}, parts: pathcheck.Parts{Projection: d(array, d("$elemMatch", d(key, 1)))}, nul: true},
			{name: "$pull's condition", update: d("$pull", d(array, d(key, 1)))},
			{name: "$push's $sort", update: d("$push", d(array, bson.D{{Key: "$each", Value: bson.A{}}, {Key: "$sort", Value: d(key, 1)}}))},
		}...)
	}
	return q
}

// keyChecker checks keyed queries on one model, whose top-level field
// field stands beside the key and whose array of documents array (""
// for none) holds it.
type keyChecker struct {
	check        func(t *testing.T, q keyedQuery, key string)
	field, array string
}

func keyCheckerOf[T any](c *Collection[T], field, array string) keyChecker {
	pc, err := pathcheck.For(c.model())
	if err != nil {
		panic(err)
	}
	answer := func(t *testing.T, q keyedQuery) error {
		if q.update != nil {
			_, err := c.prepareUpdate("update", nil, q.update, false)
			return err
		}
		_, err := c.checkQuery("find", q.filter, q.parts)
		if err != nil {
			var pe *query.PathError
			if !errors.As(err, &pe) {
				t.Fatalf("%s on %s: %v: not a *PathError: %v", q.name, c.Name(), q.filter, err)
			}
		}
		return err
	}
	return keyChecker{field: field, array: array, check: func(t *testing.T, q keyedQuery, key string) {
		first := answer(t, q)
		if again := answer(t, q); fmt.Sprint(first) != fmt.Sprint(again) {
			t.Fatalf("%s on %s, key %q: %v, then %v", q.name, c.Name(), key, first, again)
		}
		if q.nul && strings.IndexByte(key, 0) >= 0 {
			var pe *query.PathError
			if !errors.As(first, &pe) || !strings.Contains(pe.Problem, "NUL") {
				t.Fatalf("%s on %s, key %q: a NUL byte not refused: %v", q.name, c.Name(), key, first)
			}
		}
		if q.update != nil {
			// The shape of the update as given, before the encoder
			// (which refuses a NUL first) sees it.
			w := &pathcheck.ShapeWriter{}
			w.Update(q.update)
			pe, again := pc.Check(w), pc.Check(w)
			if fmt.Sprint(pe) != fmt.Sprint(again) {
				t.Fatalf("%s on %s, key %q: shape %v, then %v", q.name, c.Name(), key, pe, again)
			}
			if strings.IndexByte(key, 0) >= 0 && (pe == nil || !strings.Contains(pe.Problem, "NUL")) {
				t.Fatalf("%s on %s, key %q: a NUL byte not refused in the shape: %v", q.name, c.Name(), key, pe)
			}
			return
		}
		if raw, err := bson.Marshal(q.filter); err == nil {
			_, rawErr := c.checkQuery("find", bson.Raw(raw), q.parts)
			if (rawErr == nil) != (first == nil) {
				t.Fatalf("%s on %s, key %q: %v as a bson.D, %v as bson.Raw", q.name, c.Name(), key, first, rawErr)
			}
		}
	}}
}
