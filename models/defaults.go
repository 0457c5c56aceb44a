package models

import (
	"time"

	"github.com/tagodm/tagodm/odm/schema"
)

// The helpers below give new documents the defaults the service's Python
// models declare (../reference-collections: "What the Python models accept
// and default"), so that a document Go writes reads back on the Python
// side as one Python would have written. Each fills a field only while it
// is still zero: a value the caller set is kept. A field that defaults to
// true is a *bool, so that false can be told from "not set".

// now is the current time as BSON stores it: UTC, to the millisecond.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// newUUID is a new UUID in its text form (Python's str(uuid4())).
func newUUID() string { return schema.NewUUID().String() }

func orString[S ~string](s *S, def S) {
	if *s == "" {
		*s = def
	}
}

func orNewUUID(s *string) {
	if *s == "" {
		*s = newUUID()
	}
}

func orInt[I ~int | ~int32 | ~int64](i *I, def I) {
	if *i == 0 {
		*i = def
	}
}

func orFloat(f *float64, def float64) {
	if *f == 0 {
		*f = def
	}
}

func orTrue(b **bool) {
	if *b == nil {
		t := true
		*b = &t
	}
}

func orNow(t *time.Time) {
	if t.IsZero() {
		*t = now()
	}
}

// Bool returns a pointer to b, for the fields that default to true.
func Bool(b bool) *bool { return &b }
