package reflectx

import "strings"

// Lookup reports whether path can exist in documents of this struct: it
// resolves key by key to a field, lies below an open field, or names a key
// of a level held open by an ",inline" map. "_id" always exists. Paths
// through recursive types resolve at any depth.
func (s *Struct) Lookup(path string) bool {
	if path == "_id" {
		return true
	}
	for cur := s; ; {
		key, rest, more := strings.Cut(path, ".")
		i, ok := cur.byName[key]
		if !ok {
			return cur.Open && !more
		}
		f := cur.Fields[i]
		switch {
		case !more, f.Open:
			return true
		case f.Struct == nil:
			return false
		}
		cur, path = f.Struct, rest
	}
}

// Field returns the field at path, its Path, GoPath and Index taken from
// s.
func (s *Struct) Field(path string) (Field, bool) {
	var out Field
	index := []int{}
	cur := s
	for {
		key, rest, more := strings.Cut(path, ".")
		i, ok := cur.byName[key]
		if !ok {
			return Field{}, false
		}
		f := cur.Fields[i]
		index = extend(index, f.Index)
		out = compose(out, f, index)
		if !more {
			return out, true
		}
		if f.Struct == nil {
			return Field{}, false
		}
		if !f.direct {
			index = nil
		}
		cur, path = f.Struct, rest
	}
}

// Chain returns the fields path resolves through, each as its own struct
// describes it (Path and GoPath local), the last one the field at path;
// ok is false when path does not resolve key by key (an open field ends
// the chain early, with ok true).
func (s *Struct) Chain(path string) (chain []Field, ok bool) {
	cur := s
	for {
		key, rest, more := strings.Cut(path, ".")
		i, found := cur.byName[key]
		if !found {
			return chain, cur.Open && !more
		}
		f := cur.Fields[i]
		chain = append(chain, f)
		switch {
		case !more:
			return chain, true
		case f.Open:
			return chain, true
		case f.Struct == nil:
			return chain, false
		}
		cur, path = f.Struct, rest
	}
}

// extend is the index sequence of a field below a parent's; nil when the
// parent is reached through a slice, an array or a map.
func extend(parent, local []int) []int {
	if parent == nil {
		return nil
	}
	return append(append(make([]int, 0, len(parent)+len(local)), parent...), local...)
}

// compose is f seen from the described struct, below parent.
func compose(parent, f Field, index []int) Field {
	f.Path = join(parent.Path, f.Path)
	f.GoPath = join(parent.GoPath, f.GoPath)
	f.Index = index
	return f
}

// Types returns the descriptions of every struct type s reaches, s first,
// each once, in the order a depth-first walk of the fields meets them.
func (s *Struct) Types() []*Struct {
	seen := map[*Struct]bool{s: true}
	out := []*Struct{s}
	for i := 0; i < len(out); i++ {
		for _, f := range out[i].Fields {
			if f.Struct != nil && !seen[f.Struct] {
				seen[f.Struct] = true
				out = append(out, f.Struct)
			}
		}
	}
	return out
}

// Walk returns every field reachable from s that match accepts, with its
// path from s, depth first in declaration order. It reaches a struct type
// at every path that leads to it, except that it does not enter a type
// from within itself: the fields of a recursive type are returned once
// per path to its outermost occurrence, so that every walk ends. Only
// types that lead to an accepted field are entered, so the cost is
// linear in the distinct types and fields plus the fields returned. After
// limit fields, Walk stops and returns ErrTooMany with those found.
func (s *Struct) Walk(match func(Field) bool, limit int) ([]Field, error) {
	types := s.Types()
	parents := map[*Struct][]*Struct{}
	var queue []*Struct
	useful := map[*Struct]bool{}
	for _, t := range types {
		for _, f := range t.Fields {
			if f.Struct != nil {
				parents[f.Struct] = append(parents[f.Struct], t)
			}
			if !useful[t] && match(f) {
				useful[t] = true
				queue = append(queue, t)
			}
		}
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		for _, p := range parents[t] {
			if !useful[p] {
				useful[p] = true
				queue = append(queue, p)
			}
		}
	}
	w := walk{match: match, limit: limit, useful: useful, open: map[*Struct]bool{}}
	if !useful[s] {
		return nil, nil
	}
	err := w.fields(s, Field{}, []int{})
	return w.out, err
}

type walk struct {
	match  func(Field) bool
	limit  int
	useful map[*Struct]bool
	open   map[*Struct]bool // types on the current path
	out    []Field
}

func (w *walk) fields(s *Struct, parent Field, index []int) error {
	w.open[s] = true
	defer delete(w.open, s)
	for _, f := range s.Fields {
		fi := extend(index, f.Index)
		full := compose(parent, f, fi)
		if w.match(f) {
			if len(w.out) >= w.limit {
				return ErrTooMany
			}
			w.out = append(w.out, full)
		}
		if f.Struct == nil || !w.useful[f.Struct] || w.open[f.Struct] {
			continue
		}
		if !f.direct {
			fi = nil
		}
		if err := w.fields(f.Struct, full, fi); err != nil {
			return err
		}
	}
	return nil
}
