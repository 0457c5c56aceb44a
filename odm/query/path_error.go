package query

import (
	"fmt"
	"strconv"
)

// PathError is a key of a filter, a sort, a projection or an update that
// names no field of the repository's model: a typo, which MongoDB would
// answer with nothing found or a field written beside the model's. A
// repository returns it before any command.
type PathError struct {
	// Op and Collection are the refused call and its collection.
	Op, Collection string
	// Part is where the key was: "filter", "sort", "projection",
	// "update" or "field" (Distinct's).
	Part string
	// GoType is the model's Go type.
	GoType string
	// Path is the refused key, as given.
	Path string
	// Problem says why, naming the Go type that lacks the field.
	Problem string
	// Nearest is the model's path closest to Path; empty when none is
	// close.
	Nearest string
}

// Error implements the error interface:
// "odm: find on notifications: filter: stauts: no such field in
// models.Notification; did you mean status?". A path holding a byte that
// does not print (a NUL, invalid UTF-8) is shown quoted, as Go quotes it.
func (e *PathError) Error() string {
	msg := fmt.Sprintf("odm: %s on %s: %s: %s: %s", e.Op, e.Collection, e.Part, showPath(e.Path), e.Problem)
	if e.Path == "" {
		msg = fmt.Sprintf("odm: %s on %s: %s: %s", e.Op, e.Collection, e.Part, e.Problem)
	}
	if e.Nearest != "" {
		msg += "; did you mean " + e.Nearest + "?"
	}
	return msg
}

// showPath is path as an error shows it: as it is when it prints as
// itself, else quoted.
func showPath(path string) string {
	if q := strconv.Quote(path); q[1:len(q)-1] != path {
		return q
	}
	return path
}

// ExtraPathsDeclarer is implemented by models whose documents hold fields
// the struct does not declare (written by another service, or kept in an
// ",inline" map) that the service's queries and updates name. Each path
// given, and every path below it, passes the repositories' path check, as
// do the keys of an index declared OutsideStruct. ExtraPaths is called
// once, on the zero value of the model.
//
// Declaring ExtraPaths makes a model with an ",inline" map strict: a key
// its inline maps would hold passes only when it is one of those paths
// (or below one), so that a typo of an extra field is refused as a typo
// of a declared one is. A model with an ",inline" map that does not
// declare ExtraPaths accepts every key at the map's level, typos
// included; declare them (an empty list when the documents hold no
// other field the service names).
type ExtraPathsDeclarer interface {
	ExtraPaths() []string
}
