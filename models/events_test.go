package models_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm/query"
)

// TestEventsExtraPaths: both event models declare the same extra fields,
// the own fields of the 57 event types (93 names), each once; they hold
// every events index key declared outside the struct, and no envelope
// field but execution_id, which some event types name as their own.
func TestEventsExtraPaths(t *testing.T) {
	var live, archived query.ExtraPathsDeclarer = models.Event{}, models.ArchivedEvent{}
	paths := live.ExtraPaths()
	assert.Equal(t, paths, archived.ExtraPaths())
	assert.Len(t, paths, 93)
	assert.True(t, slices.IsSorted(paths), "kept sorted, to be read and compared")
	assert.Len(t, slices.Compact(slices.Clone(paths)), len(paths), "each once")
	for _, spec := range (models.Event{}).Indexes() {
		if spec.OutsideStruct {
			for _, k := range spec.Keys {
				assert.Contains(t, paths, k.Field)
			}
		}
	}
	for _, envelope := range []string{"event_id", "event_type", "event_version", "timestamp", "aggregate_id", "metadata", "stored_at", "ttl_expires_at"} {
		assert.NotContains(t, paths, envelope)
	}
	for _, own := range []string{"pod_name", "exit_code", "resource_usage", "container_statuses", "dlq_event_id", "window_seconds", "execution_id", "deleted_by"} {
		assert.Contains(t, paths, own)
	}
	paths[0] = "changed"
	assert.NotEqual(t, "changed", live.ExtraPaths()[0], "each call returns its own slice")
}
