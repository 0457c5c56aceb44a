// Package hooks is the machinery of a model's lifecycle hooks, which the
// repositories of package odm call in their write pipeline: which hooks a
// model type has, found once per repository; a call with its panic
// recovered and its error named; the timestamps an update by filter gets.
package hooks

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"time"

	"github.com/tagodm/tagodm/odm/internal/write"
	"github.com/tagodm/tagodm/odm/outcome"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Hook is one of a model's hooks.
type Hook uint8

// The hooks, in the order of Names; Stamps is a model that embeds
// odm.Timestamps.
const (
	BeforeInsert Hook = iota
	AfterInsert
	BeforeReplace
	AfterReplace
	BeforeUpdate
	AfterUpdate
	BeforeDelete
	AfterDelete
	Validate
	Stamps
)

// Set is the hooks a model has.
type Set uint16

// Has reports whether s holds h.
func (s Set) Has(h Hook) bool { return s&(1<<h) != 0 }

// With is s and h.
func (s Set) With(h Hook) Set { return s | 1<<h }

type (
	beforeInserter interface{ BeforeInsert(context.Context) error }
	afterInserter  interface{ AfterInsert(context.Context) error }
	beforeReplacer interface{ BeforeReplace(context.Context) error }
	afterReplacer  interface{ AfterReplace(context.Context) error }
	beforeUpdater  interface{ BeforeUpdate(context.Context) error }
	afterUpdater   interface{ AfterUpdate(context.Context) error }
	beforeDeleter  interface{ BeforeDelete(context.Context) error }
	afterDeleter   interface{ AfterDelete(context.Context) error }
	validator      interface{ Validate() error }
)

// methods are the hooks' methods, by Hook: the name, the interface and
// the call.
var methods = [...]struct {
	name  string
	iface reflect.Type
	call  func(context.Context, any) error
}{
	{"BeforeInsert", reflect.TypeFor[beforeInserter](), func(ctx context.Context, d any) error { return d.(beforeInserter).BeforeInsert(ctx) }},
	{"AfterInsert", reflect.TypeFor[afterInserter](), func(ctx context.Context, d any) error { return d.(afterInserter).AfterInsert(ctx) }},
	{"BeforeReplace", reflect.TypeFor[beforeReplacer](), func(ctx context.Context, d any) error { return d.(beforeReplacer).BeforeReplace(ctx) }},
	{"AfterReplace", reflect.TypeFor[afterReplacer](), func(ctx context.Context, d any) error { return d.(afterReplacer).AfterReplace(ctx) }},
	{"BeforeUpdate", reflect.TypeFor[beforeUpdater](), func(ctx context.Context, d any) error { return d.(beforeUpdater).BeforeUpdate(ctx) }},
	{"AfterUpdate", reflect.TypeFor[afterUpdater](), func(ctx context.Context, d any) error { return d.(afterUpdater).AfterUpdate(ctx) }},
	{"BeforeDelete", reflect.TypeFor[beforeDeleter](), func(ctx context.Context, d any) error { return d.(beforeDeleter).BeforeDelete(ctx) }},
	{"AfterDelete", reflect.TypeFor[afterDeleter](), func(ctx context.Context, d any) error { return d.(afterDeleter).AfterDelete(ctx) }},
	{"Validate", reflect.TypeFor[validator](), func(_ context.Context, d any) error { return d.(validator).Validate() }},
}

// String is the hook's method name.
func (h Hook) String() string { return methods[h].name }

// Of is the hooks *t has; stamped is the interface of a model embedding
// timestamps, the Timestamps type. problem, when set, says (after the
// type's name) why t cannot have them: a hook declared on the value
// receiver would see a copy, and Timestamps must be inline.
func Of(t, stamped, timestamps reflect.Type) (s Set, problem string) {
	for h, m := range methods {
		if t.Implements(m.iface) {
			return 0, fmt.Sprintf("'s %s has a value receiver, so it would see a copy and what it changes would not be written; declare it on *%v", m.name, t)
		}
		if reflect.PointerTo(t).Implements(m.iface) {
			s = s.With(Hook(h))
		}
	}
	if reflect.PointerTo(t).Implements(stamped) {
		if sf, _ := t.FieldByName(timestamps.Name()); sf.Type != timestamps || sf.Tag.Get("bson") != ",inline" {
			return 0, fmt.Sprintf(" embeds %v as %v `%s`; embed it with `bson:\",inline\"`, so that created_at and updated_at are top-level fields", timestamps, sf.Type, sf.Tag)
		}
		s = s.With(Stamps)
	}
	return s, ""
}

// Before calls doc's before-hook h, then its Validate, those of them s
// holds; t is doc's model type.
func (s Set) Before(ctx context.Context, h Hook, doc any, t reflect.Type) error {
	for _, h := range [2]Hook{h, Validate} {
		if s.Has(h) {
			if err := Call(ctx, h, doc, t.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// Time is the time of a write's timestamps; zero, without reading the
// clock, when s has none.
func (s Set) Time() time.Time {
	if s.Has(Stamps) {
		return Now()
	}
	return time.Time{}
}

// Call calls hook h of doc, a pointer to a model of goType: its error is
// named "<goType>.<hook>: ", and its panic is a *outcome.PanicError.
func Call(ctx context.Context, h Hook, doc any, goType string) error {
	return Guard(goType+"."+h.String(), h.String(), goType, func() error { return methods[h].call(ctx, doc) })
}

// Guard calls f, the code of the caller's named who: its error is named
// "<who>: ", and its panic is a *outcome.PanicError of fn on goType's.
func Guard(who, fn, goType string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &outcome.PanicError{Func: fn, GoType: goType, Value: r, Stack: debug.Stack()}
		}
	}()
	if err := f(); err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	return nil
}

// Now is the time the timestamps store: UTC, to the millisecond BSON
// keeps, so that a document read back equals the one written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// StampUpdate adds the timestamps at t to an update's operators, unless it
// writes them itself: updated_at under $set ($setOnInsert for an update
// that only inserts), and with upsert created_at under $setOnInsert.
// paths, the update's, gets them, so that an upsert's defaults leave them
// out.
func StampUpdate(ops bson.D, paths []string, t time.Time, upsert, insertOnly bool) (bson.D, []string) {
	set := "$set"
	if insertOnly {
		set = "$setOnInsert"
	}
	for _, f := range [2]struct {
		op, key string
		on      bool
	}{{set, "updated_at", true}, {"$setOnInsert", "created_at", upsert}} {
		if f.on && !slices.ContainsFunc(paths, func(p string) bool { return write.Touches(p, f.key) || write.Touches(f.key, p) }) {
			ops = write.AddFields(ops, f.op, bson.E{Key: f.key, Value: t})
			paths = append(paths, f.key)
		}
	}
	return ops, paths
}

// StampPipeline is an update pipeline (a slice or array of stages) with a
// last stage setting updated_at to t.
func StampPipeline(pipeline any, t time.Time) bson.A {
	rv := reflect.ValueOf(pipeline)
	out := make(bson.A, 0, rv.Len()+1)
	for i := range rv.Len() {
		out = append(out, rv.Index(i).Interface())
	}
	return append(out, bson.D{{Key: "$set", Value: bson.D{{Key: "updated_at", Value: t}}}})
}
