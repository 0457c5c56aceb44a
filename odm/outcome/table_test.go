package outcome

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/odm/diff"
)

// A name the server lists with a control character in it is printed
// quoted: a newline or a tab in it cannot forge a row or a column of a
// plan or a report.
func TestTablesQuoteNamesWithControlCharacters(t *testing.T) {
	forged := "evil\nevents  x_1  create  create  forged"
	plan := &IndexPlan{Collections: []CollectionPlan{{
		Collection: "events",
		Changes:    []diff.IndexChange{{Name: forged, Action: diff.Drop}, {Name: "tab\tbed", Action: diff.Drop}},
	}}}
	var b strings.Builder
	require.NoError(t, plan.WriteTable(&b))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	assert.Len(t, lines, 4, "a header, two rows and the summary:\n%s", b.String())
	assert.Contains(t, b.String(), `"evil\nevents  x_1  create  create  forged"`)
	assert.Contains(t, b.String(), `"tab\tbed"`)

	report := &Report{Collections: []CollectionReport{{Collection: "events", Indexes: []IndexResult{{Name: forged, Action: diff.Drop, Outcome: Dropped, Reason: "a\nb"}}}}}
	b.Reset()
	require.NoError(t, report.WriteTable(&b))
	lines = strings.Split(strings.TrimSpace(b.String()), "\n")
	assert.Len(t, lines, 3, "a header, one row and the summary:\n%s", b.String())
	assert.Contains(t, lines[1], `"evil\nevents`)

	assert.Equal(t, "plain_1", cell("plain_1"), "an ordinary name is as it is")
	assert.Equal(t, "é_1", cell("é_1"))
}
