package codec

import (
	"fmt"
	"reflect"
	"sort"
	"unsafe"

	"github.com/tagodm/tagodm/internal/reflectx"
)

// structPlan is a struct type's keys, as the driver's struct codec
// describes them: tags parsed, inline structs flattened by Go's dominance
// rules, the fields in declaration order.
type structPlan struct {
	typ    reflect.Type
	fields []*field
	byName map[string]*field
	// inlineMap is the inline map collecting unknown keys, if any.
	inlineMap *field
	// dec decodes a value of the struct; set once the plan is complete.
	dec decodeFunc
}

// field is one key of a plan.
type field struct {
	name      string
	goName    string
	pos       int // the field's place in its plan
	typ       reflect.Type
	omitEmpty bool
	minSize   bool
	truncate  bool
	// index is the field's path from the planned struct: more than one
	// step for a field of an inline struct.
	index []int
	// off is the field's offset when no step of the path goes through a
	// pointer; steps is the path otherwise.
	off   uintptr
	steps []step
	// byValue is the first inline struct on the path held by value, before
	// any pointer (see step.panicAs).
	byValue reflect.Type
	dec     decodeFunc
	enc     encodeFunc
	empty   func(unsafe.Pointer) bool // for omitempty
	encErr  error                     // the error of encoding any value of the field
}

// step is one hop of a path through an inline struct pointer.
type step struct {
	off  uintptr
	elem reflect.Type // the inline struct, reached through a pointer at off
	// panicAs is the inline struct held by value right after the pointer,
	// if any: the driver, filling a nil pointer on such a path, panics
	// (reflect's Elem of that struct type), and so does the codec.
	panicAs reflect.Type
}

// addr is the address of the field in the struct at base, allocating the
// inline struct pointers on the way when alloc is set (as the driver does
// on decoding); nil when a pointer on the way is nil and alloc is not set.
func (f *field) addr(base unsafe.Pointer, alloc bool) unsafe.Pointer {
	p := base
	for _, s := range f.steps {
		pp := (*unsafe.Pointer)(unsafe.Add(p, s.off))
		if *pp == nil {
			if !alloc {
				return nil
			}
			if s.panicAs != nil {
				panic("reflect: Elem of invalid type " + s.panicAs.String())
			}
			*pp = reflect.New(s.elem).UnsafePointer()
		}
		p = *pp
	}
	return unsafe.Add(p, f.off)
}

// describe lists t's keys, or says why the driver would refuse the type
// (the codec then leaves the whole type to the driver).
func describe(t reflect.Type, inlining map[reflect.Type]bool) (fields []*field, inlineMap *field, err error) {
	if inlining[t] {
		return nil, nil, fmt.Errorf("(struct %s) inlines itself", t)
	}
	inlining[t] = true
	defer delete(inlining, t)
	var all []*field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.PkgPath != "" {
			continue
		}
		st := reflectx.ParseBSONTag(sf)
		if st.Skip {
			continue
		}
		f := &field{name: st.Name, goName: sf.Name, typ: sf.Type, omitEmpty: st.OmitEmpty,
			minSize: st.MinSize, truncate: st.Truncate, index: []int{i}, off: sf.Offset}
		if !st.Inline {
			all = append(all, f)
			continue
		}
		inner, isMap, err := inlineFields(t, sf, inlining)
		if err != nil {
			return nil, nil, err
		}
		if isMap {
			if inlineMap != nil {
				return nil, nil, fmt.Errorf("(struct %s) multiple inline maps", t)
			}
			inlineMap = f
			continue
		}
		all = append(all, inner...)
	}
	fields, err = dominant(t, all)
	return fields, inlineMap, err
}

// inlineFields are the keys an inline field brings: those of its struct,
// prefixed with its path; isMap for an inline map.
func inlineFields(t reflect.Type, sf reflect.StructField, inlining map[reflect.Type]bool) ([]*field, bool, error) {
	ft := sf.Type
	switch ft.Kind() {
	case reflect.Map:
		if ft.Key() != reflect.TypeFor[string]() {
			return nil, false, fmt.Errorf("(struct %s) inline map must have a string keys", t)
		}
		return nil, true, nil
	case reflect.Pointer:
		if ft.Elem().Kind() != reflect.Struct {
			return nil, false, fmt.Errorf("(struct %s) inline fields must be a struct, a struct pointer, or a map", t)
		}
	case reflect.Struct:
	default:
		return nil, false, fmt.Errorf("(struct %s) inline fields must be a struct, a struct pointer, or a map", t)
	}
	st := ft
	if ft.Kind() == reflect.Pointer {
		st = ft.Elem()
	}
	// An inline map of the inline struct is dropped, as the driver drops it:
	// only the planned struct's own inline map collects unknown keys.
	inner, _, err := describe(st, inlining)
	if err != nil {
		return nil, false, err
	}
	for _, f := range inner {
		f.index = append([]int{sf.Index[0]}, f.index...)
		switch {
		case ft.Kind() == reflect.Pointer:
			f.steps = append([]step{{off: sf.Offset, elem: st, panicAs: f.byValue}}, f.steps...)
			f.byValue = nil
		case len(f.steps) > 0:
			f.steps[0].off += sf.Offset
			f.byValue = st
		default:
			f.off += sf.Offset
			f.byValue = st
		}
	}
	return inner, false, nil
}

// dominant keeps, for each key, the field Go's embedding rules let win
// (the shallowest; two at the same depth are the driver's duplicated-key
// error), in the order of the fields' paths.
func dominant(t reflect.Type, all []*field) ([]*field, error) {
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].name != all[j].name {
			return all[i].name < all[j].name
		}
		if len(all[i].index) != len(all[j].index) {
			return len(all[i].index) < len(all[j].index)
		}
		return lessIndex(all[i].index, all[j].index)
	})
	var out []*field
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		if j-i > 1 && len(all[i].index) == len(all[i+1].index) {
			return nil, fmt.Errorf("struct %s has duplicated key %s", t, all[i].name)
		}
		out = append(out, all[i])
		i = j
	}
	sort.SliceStable(out, func(i, j int) bool { return lessIndex(out[i].index, out[j].index) })
	return out, nil
}

// lessIndex orders two field paths as the driver's byIndex does.
func lessIndex(a, b []int) bool {
	for k := range a {
		if k >= len(b) {
			return false
		}
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return len(a) < len(b)
}
