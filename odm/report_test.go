package odm_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// refusedTwice declares two indexes the embedded server refuses (TTL and
// text) and one it builds.
type refusedTwice struct {
	Name    string    `bson:"name" odm:"index"`
	Created time.Time `bson:"created" odm:"index:idx_ttl,ttl:1h"`
	Body    string    `bson:"body" odm:"index:idx_text,type:text"`
}

func (refusedTwice) CollectionName() string { return "notes" }

// TestReportNamesEveryRefusal: when the server refuses several indexes of
// one collection, the error names each, and the Report shows the
// collection failed, with its error, in the table and in JSON, never as
// a collection that declares no index.
func TestReportNamesEveryRefusal(t *testing.T) {
	db := testrig.Database(t, nil)
	report, err := odm.Init(context.Background(), db, refusedTwice{})
	if err == nil {
		t.Skipf("%s supports TTL and text indexes, so no refusal can be shown", testrig.Server())
	}
	var refused []string
	for _, e := range joined(err) {
		var ue *outcome.UnsupportedError
		require.ErrorAs(t, e, &ue, "%v", e)
		refused = append(refused, ue.Index)
	}
	assert.ElementsMatch(t, []string{"idx_ttl", "idx_text"}, refused, "%v", err)

	cr, ok := report.Collection("notes")
	require.True(t, ok)
	assert.True(t, cr.Failed)
	assert.Equal(t, err.Error(), cr.Error)
	assert.ElementsMatch(t, []string{"idx_ttl", "idx_text"}, cr.Names(outcome.Failed))
	table := report.String()
	assert.Regexp(t, `notes\s+-\s+-\s+failed\s+odm: `, table)
	assert.Regexp(t, `notes\s+idx_ttl\s+create\s+failed`, table)
	assert.Regexp(t, `notes\s+idx_text\s+create\s+failed`, table)
	assert.NotContains(t, table, "no indexes declared")
	assert.Contains(t, table, "1 collection(s) failed")

	var decoded struct {
		Collections []struct {
			Collection string
			Failed     bool
			Error      string
			Indexes    []struct{ Name, Outcome string }
		}
	}
	raw, jerr := json.Marshal(report)
	require.NoError(t, jerr)
	require.NoError(t, json.Unmarshal(raw, &decoded))
	require.Len(t, decoded.Collections, 1)
	assert.True(t, decoded.Collections[0].Failed)
	assert.Equal(t, err.Error(), decoded.Collections[0].Error)
	assert.Len(t, decoded.Collections[0].Indexes, 2)
}

// TestReportOfAnUnlistableCollection: a collection whose listing failed
// shows failed with its error in the Report and in the Plan.
func TestReportOfAnUnlistableCollection(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	report, err := odm.Init(ctx, db, refusedTwice{})
	require.Error(t, err)
	for _, table := range []string{report.String(), report.Plan.String()} {
		assert.Regexp(t, `notes\s+-\s+-\s+failed\s+odm: `, table)
		assert.NotContains(t, table, "no indexes declared")
	}
	raw, jerr := json.Marshal(report.Plan)
	require.NoError(t, jerr)
	assert.Contains(t, string(raw), `"error":"odm: `)
}

// joined splits an errors.Join error into its parts.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, joined(e)...)
		}
		return out
	}
	return []error{err}
}
