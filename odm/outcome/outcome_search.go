package outcome

import (
	"fmt"
	"strings"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

// The statuses $listSearchIndexes reports.
const (
	SearchPending  = "PENDING"
	SearchBuilding = "BUILDING"
	SearchReady    = "READY"
	SearchFailed   = "FAILED"
)

// SearchIndexResult is what Init did about one search index.
type SearchIndexResult struct {
	Name    string                 `json:"name"`
	Type    schema.SearchIndexType `json:"type"`
	Action  diff.Action            `json:"action"`
	Outcome Outcome                `json:"outcome"`
	// Status is the index's status as last listed: PENDING, BUILDING,
	// READY, FAILED, STALE, DELETING or DOES_NOT_EXIST; empty when the
	// index was not listed.
	Status    string `json:"status,omitempty"`
	Queryable bool   `json:"queryable,omitempty"`
	// Message is the server's message about the index (why it FAILED).
	Message string `json:"message,omitempty"`
	// Reason is, for a skipped index, the server's refusal; for a kept or
	// updated one, the differences.
	Reason string `json:"reason,omitempty"`
}

// SearchConflictError reports search indexes listed under a declared name
// with another type, which updateSearchIndex cannot change, under
// ConflictFail. No search index was changed (the collection's regular
// indexes, synced first, may have been).
type SearchConflictError struct {
	Collection string
	Changes    []diff.SearchIndexChange
}

// Error implements the error interface.
func (e *SearchConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "odm: collection %s: %d search index(es) conflict with their declarations:", e.Collection, len(e.Changes))
	for _, c := range e.Changes {
		fmt.Fprintf(&b, "\n  - search index %s: %s", c.Name, c.Summary())
	}
	b.WriteString("\n" + conflictFix("them", "them"))
	return b.String()
}
