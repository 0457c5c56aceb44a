package schema

import (
	"fmt"
	"strings"
)

// Problem is one fault in the declarations, located as precisely as the
// declaration allows.
type Problem struct {
	GoType     string // the model's Go type, e.g. "models.Event"
	Field      string // the Go field path, or "Indexes()[i]" / "CollectionName()"
	Tag        string // the odm tag text, when the problem is in a tag
	Collection string
	Index      string
	Message    string
}

// String renders the value on one line.
func (p Problem) String() string {
	var b strings.Builder
	if p.GoType != "" {
		b.WriteString(p.GoType)
		if p.Field != "" {
			b.WriteString(".")
			b.WriteString(p.Field)
		}
	}
	if p.Tag != "" {
		fmt.Fprintf(&b, " `%s:%q`", TagKey, p.Tag)
	}
	var where []string
	if p.Collection != "" {
		where = append(where, "collection "+p.Collection)
	}
	if p.Index != "" {
		where = append(where, "index "+p.Index)
	}
	if len(where) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(where, ", "))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in the declarations. When Init
// returns one, it has sent nothing to the server.
type ValidationError struct {
	Problems []Problem
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "odm: invalid declaration: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "odm: %d invalid declarations:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// TagKey is the struct tag key the library reads: `odm:"..."`.
const TagKey = "odm"
