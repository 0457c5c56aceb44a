package reflectx

import (
	"reflect"
	"strings"
)

// Resolution is where a query path leads in the documents of a struct.
type Resolution struct {
	// OK reports that the path can exist.
	OK bool
	// Prefix is the part of the path that resolved, before the key that
	// did not; empty when the first key failed.
	Prefix string
	// Key is the key that did not resolve.
	Key string
	// In is the description of the struct that lacks Key; nil when the
	// path continues below a value that holds no fields (Scalar).
	In *Struct
	// Scalar is the Go type at Prefix when the path continues below a
	// value that holds no fields (a string, a number, a time).
	Scalar reflect.Type
	// Inline reports a path that exists (OK) only because an ",inline"
	// map holds every key at a level: Key is none of the declared fields
	// of In, the struct at Prefix. A caller that knows the keys such a
	// map holds (the path check of a model declaring ExtraPaths) reads
	// it as it reads a failure.
	Inline bool
}

// Resolve reports whether path can exist in documents of s, the way
// MongoDB reads dotted paths in queries and updates: a key names a field
// of a struct or any key of a map; a key below an array names a field of
// its elements, or, when it is a number, one element; a key below an open
// field (an interface, bson.M, bson.D, bson.Raw, a type with its own
// marshaller) or below a level an ",inline" map holds open is anything
// (the resolution says so: Inline).
// With positional, the update operators' "$", "$[]" and "$[id]" also name
// the elements of an array. "_id" exists at the top level of every
// document. An empty key never resolves.
func (s *Struct) Resolve(path string, positional bool) Resolution {
	var t reflect.Type = s.Type
	cur := s
	rest := path
	done := 0 // bytes of path resolved
	for {
		key, tail, more := strings.Cut(rest, ".")
		fail := func(in *Struct, scalar reflect.Type) Resolution {
			prefix := ""
			if done > 0 {
				prefix = path[:done-1]
			}
			return Resolution{Prefix: prefix, Key: key, In: in, Scalar: scalar}
		}
		if key == "" {
			return fail(cur, nil)
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.Kind() == reflect.Map:
			t = t.Elem()
		case isOpen(t), t.Kind() == reflect.Struct && implementsMarshaler(t):
			return Resolution{OK: true} // a document whose keys the Go type does not fix
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 {
				return fail(nil, t)
			}
			t = t.Elem()
			if !isIndex(key) && !(positional && isPositional(key)) {
				continue // a field of the elements: the same key, one level down
			}
		case isDocument(t):
			if cur == nil || cur.Type != t {
				d, err := Describe(t)
				if err != nil {
					return Resolution{OK: true} // not a model the codec stores; nothing to check against
				}
				cur = d
			}
			i, ok := cur.byName[key]
			if !ok {
				if key == "_id" && done == 0 {
					return Resolution{OK: true}
				}
				r := fail(cur, nil)
				r.OK, r.Inline = cur.Open, cur.Open
				return r
			}
			f := cur.Fields[i]
			t = f.Type // a map or an open value is read from its type, below
			if f.Struct != nil {
				cur = f.Struct
			}
		default:
			return fail(nil, t)
		}
		if !more {
			return Resolution{OK: true}
		}
		done += len(key) + 1
		rest = tail
	}
}

// isIndex reports a key that names an array element by position.
func isIndex(key string) bool {
	if key == "" || len(key) > 9 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return false
		}
	}
	return true
}

// isPositional reports the update operators' positional keys: "$", "$[]"
// and "$[identifier]", the identifier a lowercase letter followed by
// letters and digits.
func isPositional(key string) bool {
	switch {
	case key == "$", key == "$[]":
		return true
	case len(key) > 3 && strings.HasPrefix(key, "$[") && key[len(key)-1] == ']':
		id := key[2 : len(key)-1]
		if id[0] < 'a' || id[0] > 'z' {
			return false
		}
		for i := 1; i < len(id); i++ {
			c := id[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
		return true
	}
	return false
}

// Leaf is what a resolved path holds, for reasoning about indexes.
type Leaf struct {
	// Type is the Go type at the path, pointers, slices and arrays
	// stripped; nil when the path lies below an open value or a level an
	// ",inline" map holds open.
	Type reflect.Type
	// Array reports that the path passes through, or ends at, a slice or
	// an array: an index on it is multikey.
	Array bool
}

// LeafOf returns what path holds in documents of s, and false when the
// path does not resolve (Resolve).
func (s *Struct) LeafOf(path string) (Leaf, bool) {
	if !s.Resolve(path, false).OK {
		return Leaf{}, false
	}
	var out Leaf
	var t reflect.Type = s.Type
	for rest := path; ; {
		key, tail, more := strings.Cut(rest, ".")
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.Kind() == reflect.Map:
			t = t.Elem()
		case isOpen(t), t.Kind() == reflect.Struct && implementsMarshaler(t):
			return out, true
		case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8:
			out.Array = true
			t = t.Elem()
			if !isIndex(key) {
				continue
			}
		case isDocument(t):
			d, err := Describe(t)
			if err != nil {
				return out, true
			}
			i, ok := d.byName[key]
			if !ok {
				return out, true // _id without a field, or a key an inline map holds
			}
			t = d.Fields[i].Type
		}
		if !more {
			break
		}
		rest = tail
	}
	for {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8 && !isOpen(t) {
			out.Array = true
			t = t.Elem()
			continue
		}
		out.Type = t
		return out, true
	}
}
