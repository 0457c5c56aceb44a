package outcome

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tagodm/tagodm/odm/diff"
)

// twoConflicts is a ConflictError of two indexes, each with a difference.
func twoConflicts() *ConflictError {
	return &ConflictError{Collection: "orders", Changes: []diff.IndexChange{
		{Name: "a_1", Action: diff.Conflict, Differences: []diff.Difference{{Field: "unique", Declared: "true"}}},
		{Name: "by_b", Action: diff.Conflict, ListedName: "b_1", Differences: []diff.Difference{{Field: "sparse", Listed: "true"}}},
	}}
}

// A conflict's message ends with the option that settles it, as Go code
// and as odm/cli's flag, in one sentence on its last line; it names each
// policy only where the policy settles what conflicts.
func TestConflictErrorNamesTheFix(t *testing.T) {
	rebuild := "odm.OnConflict(outcome.ConflictRebuild) (--on-conflict=rebuild)"
	keep := "odm.OnConflict(outcome.ConflictKeep) (--on-conflict=keep)"
	option := []diff.OptionChange{{Option: "capped", Action: diff.Conflict, Declared: "true"}}
	tests := []struct {
		name        string
		err         error
		rebuild     bool // whether the last line names ConflictRebuild
		wantInFirst string
	}{
		{"indexes", twoConflicts(), true, "2 index(es) and 0 option(s) conflict"},
		{"indexes and options", &ConflictError{Collection: "orders", Changes: twoConflicts().Changes, Options: option}, true, "2 index(es) and 1 option(s)"},
		{"options alone", &ConflictError{Collection: "orders", Options: option}, false, "0 index(es) and 1 option(s)"},
		{"the server's refusal alone", &ConflictError{Collection: "orders", Err: errors.New("IndexOptionsConflict")}, true, "0 index(es) and 0 option(s)"},
		{"search indexes", &SearchConflictError{Collection: "orders", Changes: []diff.SearchIndexChange{{Name: "default", Action: diff.Conflict}}}, true, "1 search index(es) conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tt.err.Error()
			lines := strings.Split(msg, "\n")
			assert.Contains(t, lines[0], tt.wantInFirst)
			assert.NotContains(t, msg, "choose a conflict policy", "the vague advice gives way to the options")
			last := lines[len(lines)-1]
			assert.Contains(t, last, keep)
			assert.Equal(t, tt.rebuild, strings.Contains(last, rebuild), last)
			assert.True(t, strings.HasPrefix(last, "Pass ") && strings.HasSuffix(last, "."), "one sentence: %q", last)
			assert.NotContains(t, last, ". ", "one sentence")
			assert.Equal(t, 1, strings.Count(msg, "odm: "))
		})
	}
	assert.Len(t, strings.Split(twoConflicts().Error(), "\n"), 4, "a head line, a line per index and the fix")
}
