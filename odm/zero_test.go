package odm_test

import (
	"context"
	"iter"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
)

// Every method of a repository not made by NewCollection (a nil
// *Collection, or one declared as a zero value) returns an error naming
// the constructor instead of panicking; every method of a zero Query
// returns one naming Collection.Query, and of a zero Cursor one naming
// Collection.Iter (Next is false, and Err says why). The methods are found by
// reflection, so that one added later is covered too.
func TestZeroRepositoriesReturnErrors(t *testing.T) {
	ctx := context.Background()
	var declared odm.Collection[member]
	for _, tc := range []struct {
		name string
		c    *odm.Collection[member]
		want string
	}{
		{"zero", &declared, "odm: Collection[odm_test.member] is the zero value: make it with odm.NewCollection[odm_test.member](db)"},
		{"literal", &odm.Collection[member]{}, "odm: Collection[odm_test.member] is the zero value: make it with odm.NewCollection"},
		{"nil", nil, "odm: Collection[odm_test.member] is nil: make it with odm.NewCollection[odm_test.member](db)"},
	} {
		v := reflect.ValueOf(tc.c)
		require.GreaterOrEqual(t, v.NumMethod(), 25)
		for i := range v.NumMethod() {
			name := v.Type().Method(i).Name
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				var out []reflect.Value
				require.NotPanics(t, func() { out = v.Method(i).Call(zeroArgs(v.Method(i).Type(), ctx)) })
				checkZeroResults(t, ctx, out, tc.want)
			})
		}
	}

	q := reflect.ValueOf(odm.Query[member]{})
	require.GreaterOrEqual(t, q.NumMethod(), 12)
	for i := range q.NumMethod() {
		name := q.Type().Method(i).Name
		t.Run("zero Query/"+name, func(t *testing.T) {
			var out []reflect.Value
			require.NotPanics(t, func() { out = q.Method(i).Call(zeroArgs(q.Method(i).Type(), ctx)) })
			checkZeroResults(t, ctx, out, "Query[odm_test.member] is the zero value, with no repository: start it with Collection.Query")
		})
	}
	for _, tc := range []struct {
		name string
		cur  *odm.Cursor[member]
		want string
	}{
		{"zero", &odm.Cursor[member]{}, "odm: Cursor[odm_test.member] is the zero value: open it with Collection.Iter"},
		{"nil", nil, "odm: Cursor[odm_test.member] is nil: open it with Collection.Iter"},
	} {
		v := reflect.ValueOf(tc.cur)
		require.GreaterOrEqual(t, v.NumMethod(), 4)
		for i := range v.NumMethod() {
			name := v.Type().Method(i).Name
			t.Run("Cursor "+tc.name+"/"+name, func(t *testing.T) {
				var out []reflect.Value
				require.NotPanics(t, func() { out = v.Method(i).Call(zeroArgs(v.Method(i).Type(), ctx)) })
				checkZeroResults(t, ctx, out, tc.want)
				assert.ErrorContains(t, tc.cur.Err(), tc.want, "Err says why")
			})
		}
	}

	_, err := odm.Project[member](odm.Query[member]{}).All(ctx)
	assert.ErrorContains(t, err, "Query[odm_test.member] is the zero value")
	_, err = odm.Aggregate[bson.D](ctx, (*odm.Collection[member])(nil), bson.A{})
	assert.ErrorContains(t, err, "Collection[odm_test.member] is nil")
}

// zeroArgs are arguments for a method of type ft that would pass its own
// checks: a context, a document, a filter, a change function; the
// variadic options are left out.
func zeroArgs(ft reflect.Type, ctx context.Context) []reflect.Value {
	n := ft.NumIn()
	if ft.IsVariadic() {
		n--
	}
	args := make([]reflect.Value, n)
	for j := range n {
		p := ft.In(j)
		switch {
		case p == reflect.TypeFor[context.Context]():
			args[j] = reflect.ValueOf(ctx)
		case p.Kind() == reflect.Interface:
			args[j] = reflect.ValueOf(bson.D{})
		case p.Kind() == reflect.Pointer:
			args[j] = reflect.New(p.Elem())
		case p.Kind() == reflect.Slice:
			args[j] = reflect.MakeSlice(p, 1, 1)
		case p.Kind() == reflect.Func:
			args[j] = reflect.MakeFunc(p, func([]reflect.Value) []reflect.Value {
				out := make([]reflect.Value, p.NumOut())
				for k := range out {
					out[k] = reflect.Zero(p.Out(k))
				}
				return out
			})
		default:
			args[j] = reflect.Zero(p)
		}
	}
	return args
}

// checkZeroResults checks what a method of a zero repository returned:
// its error (an iterator's first, a Query's when it runs) holds want; a
// name is empty and a driver collection nil. A result of any other type
// fails the test until a check is added here.
func checkZeroResults(t *testing.T, ctx context.Context, out []reflect.Value, want string) {
	t.Helper()
	for _, r := range out {
		switch x := r.Interface().(type) {
		case error:
			assert.ErrorContains(t, x, want)
		case iter.Seq2[member, error]:
			n := 0
			for _, err := range x {
				assert.ErrorContains(t, err, want)
				n++
			}
			assert.Equal(t, 1, n, "the sequence holds one error")
		case odm.Query[member]:
			_, err := x.Count(ctx)
			assert.ErrorContains(t, err, want)
		case *odm.Bulk[member]:
			_, err := x.InsertOne(&member{}).Run(ctx)
			assert.ErrorContains(t, err, want)
		case string:
			assert.Empty(t, x)
		case []string: // CodecFallbacks: the one line saying why
			if assert.Len(t, x, 1) {
				assert.Contains(t, x[0], want)
			}
		case bool:
			assert.False(t, x)
		case member:
			assert.Zero(t, x)
		case *mongo.Collection:
			assert.Nil(t, x)
		default:
			if r.Type().Implements(reflect.TypeFor[error]()) {
				assert.Nil(t, x, "no error")
				continue
			}
			if r.IsZero() || r.Kind() == reflect.Pointer && r.IsNil() {
				continue // the value beside the error
			}
			t.Errorf("a result of type %v is not checked: add its check", r.Type())
		}
	}
	if len(out) == 0 {
		t.Error("a method without results is not checked: add its check")
	}
}
