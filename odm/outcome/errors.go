package outcome

import (
	"fmt"
	"strings"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// IndexError is a server's refusal of one or more indexes of a collection,
// or a failure to list them (Collection is empty for a command about the
// server as a whole, such as buildInfo). Err is the driver's error: errors.As reaches
// mongo.CommandError and its code (IndexOptionsConflict 85,
// IndexKeySpecsConflict 86, ...).
type IndexError struct {
	Collection string
	// Indexes are the names of the indexes the failed command carried;
	// empty for a listing.
	Indexes []string
	Op      string // "listIndexes" or "createIndexes"
	Err     error
}

// Error implements the error interface.
func (e *IndexError) Error() string {
	if e.Collection == "" {
		return fmt.Sprintf("odm: %s: %v", e.Op, e.Err)
	}
	what := "collection " + e.Collection
	if len(e.Indexes) > 0 {
		what += ", index " + strings.Join(e.Indexes, ", ")
	}
	return fmt.Sprintf("odm: %s on %s: %v", e.Op, what, e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *IndexError) Unwrap() error { return e.Err }

// UnsupportedError reports an index that the server refused because it
// lacks an index type or option. Init returns it unless SkipUnsupported is
// set, in which case the index is listed in the Report's Skipped instead.
type UnsupportedError struct {
	Collection string
	Index      string
	// Options are the index types and options the index uses that the
	// server may lack; the first is the one the server named when it did.
	Options []string
	Err     error
}

// Error implements the error interface.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("odm: collection %s, index %s: the server does not support %s: %v",
		e.Collection, e.Index, strings.Join(e.Options, ", "), e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *UnsupportedError) Unwrap() error { return e.Err }

// ConflictError reports indexes listed with other keys or options than
// their declarations (or their keys under another name), under
// ConflictFail. Nothing in the collection was changed.
type ConflictError struct {
	Collection string
	Changes    []diff.IndexChange
	// Options are collection options that differ and that collMod cannot
	// change; a collection is never dropped to be rebuilt.
	Options []diff.OptionChange
	// Err is the server's refusal when the conflict showed only in its
	// answer (IndexOptionsConflict or IndexKeySpecsConflict: another
	// process created a conflicting index after the listing), and the
	// listings kept missing it; nil otherwise.
	Err error
}

// Unwrap returns the server's refusal, if any.
func (e *ConflictError) Unwrap() error { return e.Err }

// Error implements the error interface.
func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "odm: collection %s: %d index(es) and %d option(s) conflict with their declarations:",
		e.Collection, len(e.Changes), len(e.Options))
	for _, o := range e.Options {
		fmt.Fprintf(&b, "\n  - collection option %s", o.Summary())
	}
	if e.Err != nil {
		fmt.Fprintf(&b, "\n  - %v", e.Err)
	}
	for _, c := range e.Changes {
		fmt.Fprintf(&b, "\n  - index %s", c.Name)
		if c.ListedName != "" {
			fmt.Fprintf(&b, " (listed as %s)", c.ListedName)
		}
		b.WriteString(": " + c.Summary())
	}
	switch {
	case len(e.Options) == 0:
		b.WriteString("\n" + conflictFix("the indexes", "them"))
	case len(e.Changes) == 0 && e.Err == nil:
		b.WriteString("\nPass " + keepOption + " to keep the collection as it is; a collection is never dropped to be rebuilt.")
	default:
		b.WriteString("\n" + conflictFix("the indexes (a collection is never rebuilt)", "indexes and options"))
	}
	return b.String()
}

// The options that settle a conflict, in Go and on odm/cli's command line.
const (
	rebuildOption = "odm.OnConflict(outcome.ConflictRebuild) (--on-conflict=rebuild)"
	keepOption    = "odm.OnConflict(outcome.ConflictKeep) (--on-conflict=keep)"
)

// conflictFix is the sentence that ends a conflict's message: the
// policies that settle it, named as the caller writes them.
func conflictFix(rebuilt, kept string) string {
	return "Pass " + rebuildOption + " to rebuild " + rebuilt + ", or " + keepOption + " to keep " + kept + " as listed."
}

// DuplicateDataError reports that a unique index could not be built or
// rebuilt because documents share its keys: found before a rebuild (the
// listed index was kept), or answered by the server to a createIndexes or
// collMod (MongoDB's DuplicateKey 11000, DocumentDB's exclusion
// constraint), then with Err.
type DuplicateDataError struct {
	Collection string
	Index      string
	// Sample is one key value several documents share, and Count how many
	// documents share it; empty when the data no longer shows one.
	Sample bson.D
	Count  int64
	// Err is the server's refusal, when there was one: an *IndexError
	// wrapping the driver's error.
	Err error
}

// Error implements the error interface.
func (e *DuplicateDataError) Error() string {
	if e.Err != nil {
		msg := fmt.Sprintf("odm: collection %s, index %s: the server refuses it as unique over duplicated keys", e.Collection, e.Index)
		if e.Count > 0 {
			sample, _ := bson.MarshalExtJSON(e.Sample, false, false)
			msg += fmt.Sprintf(" (%d documents share the keys %s)", e.Count, sample)
		}
		return fmt.Sprintf("%s: %s", msg, servererr.Message(e.Err))
	}
	sample, _ := bson.MarshalExtJSON(e.Sample, false, false)
	return fmt.Sprintf("odm: collection %s, index %s: cannot rebuild as unique: %d documents share the keys %s; the listed index was kept",
		e.Collection, e.Index, e.Count, sample)
}

// Unwrap returns the server's refusal, if any.
func (e *DuplicateDataError) Unwrap() error { return e.Err }

// PanicError is a panic in code of the caller's that the library called,
// recovered and returned instead of taking the process down: an
// OnProgress callback (Init stops and returns it) or a model's SetDefaults
// (the write returns it, wrapped, and sends nothing).
type PanicError struct {
	// Func names what panicked: "OnProgress" or "SetDefaults".
	Func string
	// GoType is the model whose method panicked; empty for a callback.
	GoType string
	// Value is what was passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, taken when the
	// panic was recovered: the panicking line is on it.
	Stack []byte
}

// Error implements the error interface.
func (e *PanicError) Error() string {
	if e.GoType != "" {
		return fmt.Sprintf("%s.%s panicked: %v", e.GoType, e.Func, e.Value)
	}
	return fmt.Sprintf("%s panicked: %v", e.Func, e.Value)
}

// Unwrap returns the panic value when it is an error (a runtime error, or
// an error the code panicked with), for errors.Is and errors.As.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
