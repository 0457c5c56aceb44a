package query

import (
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
)

// Field is a typed reference to a stored field of model T whose Go type is
// V. It is made from the Go field itself, so a field T does not have does
// not compile, and the builders (Eq, OneOf, Set, Inc, ...) take values of
// type V only, so a value of the wrong type does not compile either:
//
//	var (
//		ExecUserID  = query.F(func(e *models.Execution) *string { return &e.UserID })
//		ExecCreated = query.F(func(e *models.Execution) *time.Time { return &e.CreatedAt })
//	)
//	q := executions.Query(query.Eq(ExecUserID, uid)).Sort(query.SortBy(query.ByDesc(ExecCreated)))
//
// A field the codec does not store (unexported, bson:"-") or one reached
// through a slice or a map (which have no single address) cannot be
// referenced: the Field carries the error, and every filter, update or
// sort built from it returns it, before any command.
type Field[T, V any] struct {
	path string
	err  error
}

// F references the field of T that sel returns the address of. sel is
// called once, on a scratch T whose pointers to structs are allocated, so
// it may reach through them (&e.Address.City with Address a *Address).
func F[T, V any](sel func(*T) *V) Field[T, V] {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		return Field[T, V]{err: fmt.Errorf("odm: a field reference needs a struct model type, not %v", t)}
	}
	if sel == nil {
		return Field[T, V]{err: fmt.Errorf("odm: a field reference of %v: the selector is nil", t)}
	}
	st, err := reflectx.Describe(t)
	if err != nil {
		return Field[T, V]{err: fmt.Errorf("odm: a field reference of %v: %w", t, err)}
	}
	scratch := reflect.New(t)
	allocate(scratch.Elem(), map[reflect.Type]bool{t: true})
	p, err := callSelector(sel, scratch.Interface().(*T))
	if err != nil {
		return Field[T, V]{err: fmt.Errorf("odm: a field reference of %v: %w", t, err)}
	}
	if p == nil {
		return Field[T, V]{err: fmt.Errorf("odm: a field reference of %v: the selector returned nil, not the address of a field", t)}
	}
	path, ok := findAddress(st, scratch.Elem(), "", reflect.ValueOf(p).Pointer(), reflect.TypeFor[V](), 0)
	if !ok {
		return Field[T, V]{err: fmt.Errorf("odm: a field reference of %v: the selector returns the address of no stored field of type %v reached through structs and pointers (a field with bson:\"-\", unexported, or inside a slice or a map?)", t, reflect.TypeFor[V]())}
	}
	return Field[T, V]{path: path}
}

// Path is the field's document path, e.g. "context_data.user_id".
func (f Field[T, V]) Path() string { return f.path }

// Err is why the reference could not be made; nil when it was.
func (f Field[T, V]) Err() error { return f.err }

// callSelector calls sel, a panic in it (a slice indexed, a nil map)
// being an error.
func callSelector[T, V any](sel func(*T) *V, t *T) (p *V, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the selector panicked on a scratch value (%v); reference fields through structs and pointers only", r)
		}
	}()
	return sel(t), nil
}

// allocate gives every nil pointer to a struct below v a new struct, so
// that a selector can reach through it; a type already being allocated
// (a recursive type) is left nil.
func allocate(v reflect.Value, open map[reflect.Type]bool) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !f.CanSet() {
			continue
		}
		switch {
		case f.Kind() == reflect.Struct:
			if !open[f.Type()] {
				open[f.Type()] = true
				allocate(f, open)
				delete(open, f.Type())
			}
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct && !open[f.Type().Elem()]:
			f.Set(reflect.New(f.Type().Elem()))
			open[f.Type().Elem()] = true
			allocate(f.Elem(), open)
			delete(open, f.Type().Elem())
		}
	}
}

// findAddress finds the stored field of type want at address addr below
// v (described by s), returning its path. A struct and its first field
// share an address; the type tells them apart.
func findAddress(s *reflectx.Struct, v reflect.Value, prefix string, addr uintptr, want reflect.Type, depth int) (string, bool) {
	if depth > 32 {
		return "", false
	}
	for _, f := range s.Fields {
		fv, err := v.FieldByIndexErr(f.Index)
		if err != nil {
			continue // behind a nil embedded pointer
		}
		path := querydoc.JoinPath(prefix, f.Path)
		if fv.CanAddr() && fv.Addr().Pointer() == addr && fv.Type() == want {
			return path, true
		}
		inner := fv
		if inner.Kind() == reflect.Pointer {
			if inner.IsNil() {
				continue
			}
			inner = inner.Elem()
		}
		if inner.Kind() == reflect.Struct && f.Struct != nil {
			if p, ok := findAddress(f.Struct, inner, path, addr, want, depth+1); ok {
				return p, true
			}
		}
	}
	return "", false
}

// Filter is a filter on documents of T built from typed field references;
// a repository takes it where it takes a bson.D.
type Filter[T any] struct {
	doc bson.D
	err error
}

// Document is the filter as a bson.D, or the error of a field reference
// it was built from.
func (f Filter[T]) Document() (bson.D, error) {
	if f.doc == nil && f.err == nil {
		return bson.D{}, nil
	}
	return f.doc, f.err
}

// MarshalBSON implements bson.Marshaler.
func (f Filter[T]) MarshalBSON() ([]byte, error) {
	d, err := f.Document()
	if err != nil {
		return nil, err
	}
	return bson.Marshal(d)
}

// condition is {path: {op: v}}, or {path: v} for $eq.
func condition[T, V any](f Field[T, V], op string, v any) Filter[T] {
	if f.err != nil {
		return Filter[T]{err: f.err}
	}
	if op == "$eq" {
		return Filter[T]{doc: bson.D{{Key: f.path, Value: v}}}
	}
	return Filter[T]{doc: bson.D{{Key: f.path, Value: bson.D{{Key: op, Value: v}}}}}
}

// Eq matches documents whose field equals v.
func Eq[T, V any](f Field[T, V], v V) Filter[T] { return condition(f, "$eq", v) }

// Ne matches documents whose field does not equal v.
func Ne[T, V any](f Field[T, V], v V) Filter[T] { return condition(f, "$ne", v) }

// Gt matches documents whose field is greater than v.
func Gt[T, V any](f Field[T, V], v V) Filter[T] { return condition(f, "$gt", v) }

// Gte matches documents whose field is greater than or equal to v.
func Gte[T, V any](f Field[T, V], v V) Filter[T] { return condition(f, "$gte", v) }

// Lt matches documents whose field is less than v.
func Lt[T, V any](f Field[T, V], v V) Filter[T] { return condition(f, "$lt", v) }

// Lte matches documents whose field is less than or equal to v.
func Lte[T, V any](f Field[T, V], v V) Filter[T] { return condition(f, "$lte", v) }

// OneOf matches documents whose field equals one of vs ($in). On an
// array field each of vs is a whole array; to match an element, use
// ContainsAny.
func OneOf[T, V any](f Field[T, V], vs ...V) Filter[T] { return condition(f, "$in", listValue(vs)) }

// NoneOf matches documents whose field equals none of vs ($nin). On an
// array field each of vs is a whole array; to exclude elements, use
// ContainsNone.
func NoneOf[T, V any](f Field[T, V], vs ...V) Filter[T] { return condition(f, "$nin", listValue(vs)) }

// Exists matches documents that hold the field (yes) or lack it.
func Exists[T, V any](f Field[T, V], yes bool) Filter[T] { return condition(f, "$exists", yes) }

// Contains matches documents whose array field holds v.
func Contains[T, E any](f Field[T, []E], v E) Filter[T] { return condition(f, "$eq", v) }

// ElemMatch matches documents whose array field holds an element that
// meets every condition, each built on the element type E's own fields,
// or on the element itself with Item (an array of scalars):
// ElemMatch(scores, Gte(Item[int](), 80), Lt(Item[int](), 85)) is
// {scores: {$elemMatch: {$gte: 80, $lt: 85}}}.
func ElemMatch[T, E any](f Field[T, []E], conds ...Filter[E]) Filter[T] {
	inner, err := joined(conds)
	if err != nil {
		return Filter[T]{err: err}
	}
	if inner, err = itemConditions[T](f.path, inner); err != nil {
		return Filter[T]{err: err}
	}
	return condition(f, "$elemMatch", inner)
}

// itemConditions turns conditions on Item (an empty path) into the
// operator document $elemMatch takes for scalar elements; conditions on
// fields are left as they are, and mixing both is an error.
func itemConditions[T any](path string, conds bson.D) (bson.D, error) {
	items := 0
	for _, c := range conds {
		if c.Key == "" {
			items++
		}
	}
	if items == 0 {
		return conds, nil
	}
	if items != len(conds) {
		return nil, fmt.Errorf("odm: an $elemMatch on %s in %v mixes conditions on the element itself (Item) with conditions on its fields", path, reflect.TypeFor[T]())
	}
	out := bson.D{}
	for _, c := range conds {
		if d, ok := c.Value.(bson.D); ok && querydoc.IsOperatorDocument(d) {
			out = append(out, d...)
			continue
		}
		out = append(out, bson.E{Key: "$eq", Value: c.Value})
	}
	return out, nil
}

func listValue[V any](vs []V) bson.A {
	out := make(bson.A, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// joined is the conditions' documents in one bson.D (an implicit and).
func joined[T any](fs []Filter[T]) (bson.D, error) {
	out := bson.D{}
	for _, f := range fs {
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, f.doc...)
	}
	return out, nil
}

func logical[T any](op string, fs []Filter[T]) Filter[T] {
	items := make(bson.A, 0, len(fs))
	for _, f := range fs {
		if f.err != nil {
			return Filter[T]{err: f.err}
		}
		items = append(items, f.doc)
	}
	if len(items) == 0 {
		return Filter[T]{err: fmt.Errorf("odm: %s of %v needs at least one condition", op, reflect.TypeFor[T]())}
	}
	return Filter[T]{doc: bson.D{{Key: op, Value: items}}}
}

// And matches documents that meet every condition; no condition is every
// document.
func And[T any](fs ...Filter[T]) Filter[T] {
	if len(fs) == 0 {
		return Filter[T]{doc: bson.D{}}
	}
	return logical("$and", fs)
}

// Or matches documents that meet at least one condition.
func Or[T any](fs ...Filter[T]) Filter[T] { return logical("$or", fs) }

// Nor matches documents that meet none of the conditions.
func Nor[T any](fs ...Filter[T]) Filter[T] { return logical("$nor", fs) }

// Update is an update of documents of T built from typed field
// references; a repository takes it where it takes a bson.D of
// operators. Combine several with Updates.
type Update[T any] struct {
	ops bson.D
	err error
}

// Document is the update as a bson.D of operators, or the error of a
// field reference it was built from. The zero Update is an error: an
// update must change something.
func (u Update[T]) Document() (bson.D, error) {
	if u.ops == nil && u.err == nil {
		return nil, fmt.Errorf("odm: an update of %v with no operation", reflect.TypeFor[T]())
	}
	return u.ops, u.err
}

// MarshalBSON implements bson.Marshaler.
func (u Update[T]) MarshalBSON() ([]byte, error) {
	d, err := u.Document()
	if err != nil {
		return nil, err
	}
	return bson.Marshal(d)
}

func operation[T, V any](f Field[T, V], op string, v any) Update[T] {
	if f.err != nil {
		return Update[T]{err: f.err}
	}
	return Update[T]{ops: bson.D{{Key: op, Value: bson.D{{Key: f.path, Value: v}}}}}
}

// Set sets the field to v.
func Set[T, V any](f Field[T, V], v V) Update[T] { return operation(f, "$set", v) }

// SetOnInsert sets the field to v when an upsert inserts.
func SetOnInsert[T, V any](f Field[T, V], v V) Update[T] { return operation(f, "$setOnInsert", v) }

// Unset removes the field.
func Unset[T, V any](f Field[T, V]) Update[T] { return operation(f, "$unset", "") }

// Number is a Go numeric type, for Inc.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Inc adds by to the numeric field.
func Inc[T any, V Number](f Field[T, V], by V) Update[T] { return operation(f, "$inc", by) }

// Push appends v to the array field.
func Push[T, E any](f Field[T, []E], v E) Update[T] { return operation(f, "$push", v) }

// AddToSet appends v to the array field unless it holds it already.
func AddToSet[T, E any](f Field[T, []E], v E) Update[T] { return operation(f, "$addToSet", v) }

// Pull removes every element equal to v from the array field.
func Pull[T, E any](f Field[T, []E], v E) Update[T] { return operation(f, "$pull", v) }

// Updates combines updates into one, the fields of one operator under it
// together: Updates(Set(a, x), Set(b, y), Inc(n, 1)) is {$set: {a: x, b:
// y}, $inc: {n: 1}}.
func Updates[T any](us ...Update[T]) Update[T] {
	var out bson.D
	for _, u := range us {
		if u.err != nil {
			return Update[T]{err: u.err}
		}
		for _, op := range u.ops {
			fields := op.Value.(bson.D)
			i := 0
			for i < len(out) && out[i].Key != op.Key {
				i++
			}
			if i == len(out) {
				out = append(out, bson.E{Key: op.Key, Value: append(bson.D(nil), fields...)})
				continue
			}
			out[i].Value = append(out[i].Value.(bson.D), fields...)
		}
	}
	if len(out) == 0 {
		return Update[T]{err: fmt.Errorf("odm: an update of %v with no operation", reflect.TypeFor[T]())}
	}
	return Update[T]{ops: out}
}

// Order is one key of a sort of documents of T.
type Order[T any] struct {
	path string
	desc bool
	err  error
}

// By sorts by the field, smallest first.
func By[T, V any](f Field[T, V]) Order[T] { return Order[T]{path: f.path, err: f.err} }

// ByDesc sorts by the field, largest first.
func ByDesc[T, V any](f Field[T, V]) Order[T] {
	return Order[T]{path: f.path, desc: true, err: f.err}
}

// SortBy is a sort of documents of T by orders, in order of precedence.
func SortBy[T any](orders ...Order[T]) Sort[T] {
	var out bson.D
	for _, o := range orders {
		if o.err != nil {
			return Sort[T]{err: o.err}
		}
		dir := 1
		if o.desc {
			dir = -1
		}
		out = append(out, bson.E{Key: o.path, Value: dir})
	}
	return Sort[T]{doc: out}
}

// Sort is a sort of documents of T built from typed field references; a
// repository and a Query take it where they take a bson.D.
type Sort[T any] struct {
	doc bson.D
	err error
}

// Document is the sort as a bson.D, or the error of a field reference.
// A sort of no orders (SortBy(), the zero Sort) is an empty document: no
// sort.
func (s Sort[T]) Document() (bson.D, error) {
	if s.doc == nil && s.err == nil {
		return bson.D{}, nil
	}
	return s.doc, s.err
}

// MarshalBSON implements bson.Marshaler.
func (s Sort[T]) MarshalBSON() ([]byte, error) {
	d, err := s.Document()
	if err != nil {
		return nil, err
	}
	return bson.Marshal(d)
}
