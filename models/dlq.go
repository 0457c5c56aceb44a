package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/registry"
)

func init() { registry.Add(DLQMessage{}) }

// FailedEvent is the event a DLQ message carries: its identity, and
// whatever else the event held.
type FailedEvent struct {
	EventID   string `bson:"event_id" odm:"uniqueIndex:idx_dlq_event_id"`
	EventType string `bson:"event_type" odm:"index:idx_dlq_event_type"`
	Rest      bson.M `bson:",inline"`
}

// DLQMessage is a message that failed processing, in "dlq_messages".
// Messages are removed seven days after they are created.
type DLQMessage struct {
	ID            bson.ObjectID     `bson:"_id,omitempty"`
	Event         FailedEvent       `bson:"event"`
	OriginalTopic string            `bson:"original_topic" odm:"index"`
	Error         string            `bson:"error"`
	RetryCount    int               `bson:"retry_count" odm:"index"`
	FailedAt      time.Time         `bson:"failed_at" odm:"index;index:idx_dlq_failed_desc,sort:desc"`
	Status        string            `bson:"status" odm:"index:idx_dlq_status"`
	ProducerID    string            `bson:"producer_id"`
	CreatedAt     time.Time         `bson:"created_at" odm:"index:idx_dlq_created_ttl,ttl:168h"`
	LastUpdated   *time.Time        `bson:"last_updated"`
	NextRetryAt   *time.Time        `bson:"next_retry_at" odm:"index"`
	RetriedAt     *time.Time        `bson:"retried_at"`
	DiscardedAt   *time.Time        `bson:"discarded_at"`
	DiscardReason *string           `bson:"discard_reason"`
	DLQOffset     *int64            `bson:"dlq_offset"`
	DLQPartition  *int32            `bson:"dlq_partition"`
	LastError     *string           `bson:"last_error"`
	Headers       map[string]string `bson:"headers"`
}

// CollectionName implements odm.CollectionNamer.
func (DLQMessage) CollectionName() string { return "dlq_messages" }

// SetDefaults implements odm.Defaulter with the Python model's defaults.
func (m *DLQMessage) SetDefaults() {
	orString(&m.Error, "Unknown error")
	orNow(&m.FailedAt)
	orString(&m.Status, "pending")
	orString(&m.ProducerID, "unknown")
	orNow(&m.CreatedAt)
}
