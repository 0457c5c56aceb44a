package outcome

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// A collection's multi-line error prints as a block under its row: the
// first line on the row, each other line on a line of its own in the
// DETAIL column, indented as in the error; the rows around it keep their
// alignment.
func TestReportPrintsAMultiLineErrorAsABlock(t *testing.T) {
	conflict := twoConflicts()
	report := &Report{Collections: []CollectionReport{
		{Collection: "accounts", Indexes: []IndexResult{{Name: "email_1", Action: diff.Create, Outcome: Created}}},
		{Collection: "orders", Failed: true, Error: conflict.Error()},
		{Collection: "users", Indexes: []IndexResult{{Name: "name_1", Action: diff.Unchanged, Outcome: Existed}}},
	}}
	var b strings.Builder
	require.NoError(t, report.WriteTable(&b))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	errLines := strings.Split(conflict.Error(), "\n")
	require.Len(t, errLines, 4)
	// A header, a row, the failed row and its three lines below, a row
	// and the summary.
	require.Len(t, lines, 8, b.String())

	detail := strings.Index(lines[0], "DETAIL")
	require.Positive(t, detail)
	assert.True(t, strings.HasPrefix(lines[2], "orders "), lines[2])
	assert.Equal(t, errLines[0], lines[2][detail:], "the first line on the row, in the DETAIL column")
	for i, want := range errLines[1:] {
		got := lines[3+i]
		assert.Equal(t, strings.Repeat(" ", detail), got[:detail], "nothing but the block on its lines: %q", got)
		assert.Equal(t, want, got[detail:], "each line below, indented as in the error")
	}
	assert.True(t, strings.HasPrefix(lines[3][detail:], "  - index a_1: unique: declared true"))
	assert.True(t, strings.HasPrefix(lines[5][detail:], "Pass odm.OnConflict("))
	assert.Equal(t, detail, strings.Index(lines[1], "created")+len("created  "), "the rows above stay aligned: %q", lines[1])
	assert.True(t, strings.HasPrefix(lines[6], "users "), lines[6])
	assert.True(t, strings.HasPrefix(lines[7], "3 collections: "), lines[7])
}

// A tab or a carriage return in an error's line cannot forge a column.
func TestReportErrorBlockFlattensWhiteSpace(t *testing.T) {
	report := &Report{Collections: []CollectionReport{{Collection: "orders", Failed: true, Error: "odm: head\tline\n  - a\tb\r\n\n  - c"}}}
	var b strings.Builder
	require.NoError(t, report.WriteTable(&b))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 5, b.String())
	assert.True(t, strings.HasSuffix(lines[1], "failed  odm: head line"), lines[1])
	assert.True(t, strings.HasSuffix(lines[2], "  - a b"), lines[2])
	assert.True(t, strings.HasSuffix(lines[3], "  - c"), "an empty line is left out: %q", lines[3])
}
