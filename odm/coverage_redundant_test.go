package odm_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/registry"
)

// TestRedundantReferenceIndexes: the reference models' known case, from
// the issue that asked for this: aggregate_id_1 is a prefix of two indexes
// in events. The issue also named idx_event_type_ts {event_type: 1,
// timestamp: -1} and idx_events_type_ts_asc {event_type: 1, timestamp: 1}
// as the same keys in reverse; they are not (the reverse of the first is
// {event_type: -1, timestamp: 1}), and a sort on both keys without an
// equality on event_type ({event_type: 1, timestamp: 1}) needs the second,
// so neither is called redundant.
func TestRedundantReferenceIndexes(t *testing.T) {
	got, err := odm.RedundantIndexes(models.Event{})
	require.NoError(t, err)
	byIndex := map[string]query.RedundantIndex{}
	for _, r := range got {
		t.Log(r)
		byIndex[r.Index] = r
	}
	if assert.Contains(t, byIndex, "aggregate_id_1") {
		assert.Equal(t, []string{"idx_aggregate_ts", "idx_events_agg_ts"}, byIndex["aggregate_id_1"].CoveredBy)
	}
	assert.NotContains(t, byIndex, "idx_events_type_ts_asc")
	assert.NotContains(t, byIndex, "idx_event_type_ts")
	all, err := odm.RedundantIndexes(registry.All())
	require.NoError(t, err)
	for _, r := range all {
		t.Log(r)
	}
	assert.GreaterOrEqual(t, len(all), len(got))
}
