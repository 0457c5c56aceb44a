package agg

import (
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
)

// Expr is an aggregation expression over documents of In whose value is
// of Go type V: a field reference (Ref), a constant (Lit), the whole
// document (Root), an operator over other expressions (Op, DateToString)
// or one written by hand (Expression). V is what the expression gives
// the accumulators and assignments that take it, so an accumulator into
// a field of another type does not compile.
type Expr[In, V any] struct {
	v   any
	err error
}

// Value is the expression as MongoDB takes it, or the error of a
// reference it was built from.
func (e Expr[In, V]) Value() (any, error) { return e.v, e.err }

func (e Expr[In, V]) operand(*In) (any, error) { return e.v, e.err }

// Operand is any expression over documents of In, whatever its value's
// type: the arguments of Op and DateToString.
type Operand[In any] interface {
	operand(*In) (any, error)
}

// Ref is the value of the field f of each document: "$path".
func Ref[In, V any](f query.Field[In, V]) Expr[In, V] {
	if err := f.Err(); err != nil {
		return Expr[In, V]{err: err}
	}
	if f.Path() == "" {
		return Expr[In, V]{err: fmt.Errorf("odm: an expression over %v refers to the element itself (query.Item), which has no path in a pipeline", reflect.TypeFor[In]())}
	}
	return Expr[In, V]{v: "$" + f.Path()}
}

// Lit is the constant v. A string starting with "$", which MongoDB would
// read as a field path, is sent as {$literal: v}.
func Lit[In, V any](v V) Expr[In, V] {
	if s, ok := any(v).(string); ok && strings.HasPrefix(s, "$") {
		return Expr[In, V]{v: bson.D{{Key: "$literal", Value: s}}}
	}
	return Expr[In, V]{v: v}
}

// Root is the whole document: "$$ROOT".
func Root[In any]() Expr[In, In] { return Expr[In, In]{v: "$$ROOT"} }

// Op is the expression {name: [args...]}, or {name: arg} for one
// argument, whose value the caller declares as V:
// agg.Op[int64]("$subtract", agg.Ref(completedAt), agg.Ref(createdAt)).
// The operator's name is sent as given; the server refuses one it does
// not know.
func Op[V, In any](name string, args ...Operand[In]) Expr[In, V] {
	if len(name) < 2 || name[0] != '$' {
		return Expr[In, V]{err: fmt.Errorf("odm: an expression operator over %v must start with $, not %q", reflect.TypeFor[In](), name)}
	}
	vals := make(bson.A, len(args))
	for i, a := range args {
		v, err := operandValue(a)
		if err != nil {
			return Expr[In, V]{err: err}
		}
		vals[i] = v
	}
	if len(vals) == 1 {
		return Expr[In, V]{v: bson.D{{Key: name, Value: vals[0]}}}
	}
	return Expr[In, V]{v: bson.D{{Key: name, Value: vals}}}
}

// operandValue is a's value; a nil operand is an error, not a panic.
func operandValue[In any](a Operand[In]) (any, error) {
	if a == nil {
		return nil, fmt.Errorf("odm: an expression over %v has a nil operand", reflect.TypeFor[In]())
	}
	return a.operand(nil)
}

// DateToString is the date formatted by format ({$dateToString:
// {format, date}}), in UTC.
func DateToString[In any](format string, date Operand[In]) Expr[In, string] {
	d, err := operandValue(date)
	if err != nil {
		return Expr[In, string]{err: err}
	}
	return Expr[In, string]{v: bson.D{{Key: "$dateToString", Value: bson.D{{Key: "format", Value: format}, {Key: "date", Value: d}}}}}
}

// Millis is the difference of two dates in milliseconds ({$subtract:
// [a, b]}), what MongoDB gives for the difference of two dates.
func Millis[In any](a, b Operand[In]) Expr[In, int64] { return Op[int64]("$subtract", a, b) }

// Expression is an expression written by hand, sent as it is, whose
// value the caller declares as V: agg.Expression[float64, Out](bson.D{...}).
// Its field paths are not checked.
func Expression[V, In any](raw any) Expr[In, V] { return Expr[In, V]{v: raw} }

// Doc is the document expression of the assignments, a value of the
// struct K: the compound key of a $group,
// agg.Doc(agg.Set(key.Topic, agg.Ref(topic)), agg.Set(key.Status, agg.Ref(status))).
// The fields of K it sets must be top-level (no dotted path).
func Doc[K, In any](fields ...Assignment[In, K]) Expr[In, K] {
	d, err := assigned(fields, "a document expression")
	if err == nil {
		for _, f := range d {
			if strings.Contains(f.Key, ".") {
				err = fmt.Errorf("odm: a document expression of %v sets %s, a dotted path; an expression's fields are top-level", reflect.TypeFor[K](), f.Key)
				break
			}
		}
	}
	return Expr[In, K]{v: d, err: err}
}

// Assignment sets a field of Out to an expression over documents of In:
// a field of $project's output, or of a Doc.
type Assignment[In, Out any] struct {
	path string
	v    any
	err  error
}

// Set assigns the expression e to the field into of the output.
func Set[In, Out, V any](into query.Field[Out, V], e Expr[In, V]) Assignment[In, Out] {
	if err := into.Err(); err != nil {
		return Assignment[In, Out]{err: err}
	}
	if e.err != nil {
		return Assignment[In, Out]{err: e.err}
	}
	return Assignment[In, Out]{path: into.Path(), v: e.v}
}

// assigned is the assignments as a document, or the first error; two
// assignments to one field are an error.
func assigned[In, Out any](fields []Assignment[In, Out], what string) (bson.D, error) {
	d := make(bson.D, 0, len(fields))
	seen := map[string]bool{}
	for _, f := range fields {
		if f.err != nil {
			return nil, f.err
		}
		if f.path == "" {
			return nil, fmt.Errorf("odm: %s of %v has an empty assignment (the zero Assignment)", what, reflect.TypeFor[Out]())
		}
		if seen[f.path] {
			return nil, fmt.Errorf("odm: %s of %v sets %s twice", what, reflect.TypeFor[Out](), f.path)
		}
		seen[f.path] = true
		d = append(d, bson.E{Key: f.path, Value: f.v})
	}
	return d, nil
}
