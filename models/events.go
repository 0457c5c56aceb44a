package models

import (
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

func init() { registry.Add(Events, ArchivedEvents) }

// EventMetadata says where an event comes from.
type EventMetadata struct {
	ServiceName    string      `bson:"service_name"`
	ServiceVersion string      `bson:"service_version"`
	UserID         string      `bson:"user_id"`
	Environment    Environment `bson:"environment"`
}

// CollectionName implements odm.CollectionNamer: every event type, and
// the flat Event, lives in "events".
func (EventBase) CollectionName() string { return "events" }

// Indexes implements odm.IndexDeclarer for every event type: the events
// collection's query indexes, its TTL and its text index (event_id and
// timestamp are indexed by their tags).
func (EventBase) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{
		schema.Index(schema.Asc("aggregate_id")),
		schema.Index(schema.Asc("event_type"), schema.Desc("timestamp")).Named("idx_event_type_ts"),
		schema.Index(schema.Asc("aggregate_id"), schema.Desc("timestamp")).Named("idx_aggregate_ts"),
		schema.Index(schema.Asc("metadata.user_id"), schema.Desc("timestamp")).Named("idx_meta_user_ts"),
		schema.Index(schema.Asc("metadata.service_name"), schema.Desc("timestamp")).Named("idx_meta_service_ts"),
		{Name: "idx_execution_id", Keys: []schema.IndexKey{schema.Asc("execution_id")}, Sparse: true},
		// pod_name is a field of some event types only, and of no Event.
		{Name: "idx_pod_name", Keys: []schema.IndexKey{schema.Asc("pod_name")}, Sparse: true, OutsideStruct: true},
		// Each event expires at its own ttl_expires_at.
		{Name: "idx_ttl", Keys: []schema.IndexKey{schema.Asc("ttl_expires_at")}, ExpireAfter: schema.TTL(0)},
		schema.Index(schema.Asc("event_type"), schema.Asc("aggregate_id")).Named("idx_events_type_agg"),
		schema.Index(schema.Asc("aggregate_id"), schema.Asc("timestamp")).Named("idx_events_agg_ts"),
		schema.Index(schema.Asc("event_type"), schema.Asc("timestamp")).Named("idx_events_type_ts_asc"),
		schema.Index(schema.Asc("metadata.user_id"), schema.Asc("timestamp")).Named("idx_events_user_ts"),
		schema.Index(schema.Asc("metadata.user_id"), schema.Asc("event_type")).Named("idx_events_user_type"),
		schema.Index(schema.Asc("event_type"), schema.Asc("metadata.user_id"), schema.Desc("timestamp")).Named("idx_events_type_user_ts"),
		{
			Name: "idx_text_search",
			Keys: []schema.IndexKey{
				schema.Text("event_type"), schema.Text("metadata.service_name"),
				schema.Text("metadata.user_id"), schema.Text("execution_id"),
			},
			DefaultLanguage:  "english",
			LanguageOverride: "none",
		},
	}
}

// Validator implements odm.ValidatorDeclarer for every event type: the
// schema the service has always kept on events, the same for every event
// type (so the variants declare it as it is, not an anyOf), in
// moderate/warn mode (invalid writes are logged by the server, not
// rejected).
func (EventBase) Validator() schema.Validator {
	str := bson.D{{Key: "bsonType", Value: "string"}}
	orNull := func(t string) bson.D { return bson.D{{Key: "bsonType", Value: bson.A{t, "null"}}} }
	return schema.Validator{
		Schema: bson.D{
			{Key: "bsonType", Value: "object"},
			{Key: "required", Value: bson.A{"event_id", "event_type", "timestamp", "event_version"}},
			{Key: "properties", Value: bson.D{
				{Key: "event_id", Value: str},
				{Key: "event_type", Value: str},
				{Key: "timestamp", Value: bson.D{{Key: "bsonType", Value: "date"}}},
				{Key: "event_version", Value: bson.D{{Key: "bsonType", Value: "string"}, {Key: "pattern", Value: `^\d+\.\d+$`}}},
				{Key: "aggregate_id", Value: orNull("string")},
				{Key: "metadata", Value: bson.D{{Key: "bsonType", Value: "object"}}},
				{Key: "stored_at", Value: orNull("date")},
				{Key: "ttl_expires_at", Value: orNull("date")},
			}},
		},
		Level:  schema.LevelModerate,
		Action: schema.ActionWarn,
	}
}

// Event is a flat, untyped view of the "events" collection, for readers
// of every event type at once (statistics, exports): the base fields,
// execution_id, and the event type's own fields in Extra. Its indexes and
// validator are EventBase's. Events reads each document as its own type.
type Event struct {
	EventBase   `bson:",inline"`
	ExecutionID *string `bson:"execution_id"`
	// Extra holds the event's own fields, beside the base fields.
	Extra bson.M `bson:",inline"`
}

// eventFields are the own fields of the 57 event types, stored at the top
// level beside the base fields: the union of every type's fields, as the
// Python service declares them (execution_id is Event's own field).
var eventFields = []string{
	"action", "body", "cancelled_at", "cancelled_by", "changed_fields", "channel", "channels",
	"clicked_at", "compensated_steps", "compensating_step", "completed_steps", "container_id",
	"container_statuses", "count", "cpu_limit", "cpu_request", "current_usage", "deleted_by",
	"delivered_at", "details", "dlq_event_id", "downtime_seconds", "email", "endpoint", "error",
	"error_type", "estimated_start_time", "estimated_wait_seconds", "execution_id", "exit_code",
	"failed_at", "failed_step", "force_terminated", "health_check", "initial_event_id",
	"ip_address", "language", "language_version", "limit", "login_method", "logout_reason",
	"memory_limit", "memory_request", "message", "namespace", "node_name", "notification_id",
	"original_event_type", "original_topic", "permissions", "pod_name", "position_in_queue",
	"priority", "producer_id", "progress_percentage", "queue_position", "quota_type", "read_at",
	"reason", "requested", "resource_type", "resource_usage", "retry_count", "retry_topic",
	"runtime_command", "runtime_filename", "runtime_image", "saga_id", "saga_name", "script",
	"script_id", "sent_at", "service_name", "severity", "shared_by", "shared_with", "size_bytes",
	"stack_trace", "stderr", "stdout", "storage_path", "storage_type", "subject", "tags",
	"timeout_seconds", "title", "updated_by", "updated_fields", "user_agent", "user_id",
	"username", "violation_type", "window_seconds",
}

// ExtraPaths implements odm.ExtraPathsDeclarer with the event types' own
// fields, so that the path check of events is strict: a key beside the
// base fields that no event type has (a typo) is refused, where the
// inline map would hold it.
func (Event) ExtraPaths() []string { return slices.Clone(eventFields) }

// SetDefaults implements odm.Defaulter with the Python model's defaults:
// a new event_id, version "1.0", timestamps of now, and a TTL date 30
// days ahead. The event_type is left as set: Event has no type of its own.
func (e *Event) SetDefaults() { e.baseDefaults() }

// ArchivedEvent is a flat, untyped view of "events_archive", as Event is
// of "events": the base fields (listed here rather than embedded, as the
// archive has none of the events collection's indexes and validator),
// execution_id, the deletion's fields, and the event's own fields in
// Extra. ArchivedEvents reads each document as its own type.
type ArchivedEvent struct {
	ID             bson.ObjectID `bson:"_id,omitempty"`
	EventID        string        `bson:"event_id" odm:"index,unique"`
	EventType      EventType     `bson:"event_type"`
	EventVersion   string        `bson:"event_version"`
	Timestamp      time.Time     `bson:"timestamp" odm:"index"`
	AggregateID    *string       `bson:"aggregate_id"`
	Metadata       EventMetadata `bson:"metadata"`
	StoredAt       *time.Time    `bson:"stored_at"`
	TTLExpiresAt   *time.Time    `bson:"ttl_expires_at"`
	ExecutionID    *string       `bson:"execution_id"`
	DeletedAt      time.Time     `bson:"deleted_at" odm:"index"`
	DeletedBy      *string       `bson:"deleted_by"`
	DeletionReason *string       `bson:"deletion_reason"`
	// Extra holds the event's own fields, beside the base fields.
	Extra bson.M `bson:",inline"`
}

// CollectionName implements odm.CollectionNamer.
func (ArchivedEvent) CollectionName() string { return "events_archive" }

// ExtraPaths implements odm.ExtraPathsDeclarer with the event types' own
// fields, as Event does; the archive's own (deleted_at, deleted_by,
// deletion_reason) are the struct's.
func (ArchivedEvent) ExtraPaths() []string { return slices.Clone(eventFields) }

// Indexes implements odm.IndexDeclarer: event_type is indexed on its own
// only in the archive.
func (ArchivedEvent) Indexes() []schema.IndexSpec { return archiveIndexes() }

func archiveIndexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("event_type"))}
}

// SetDefaults implements odm.Defaulter with the Python model's defaults.
func (e *ArchivedEvent) SetDefaults() {
	orString(&e.EventVersion, "1.0")
	e.Metadata.setDefaults()
	orNow(&e.DeletedAt)
}

func (m *EventMetadata) setDefaults() {
	orNewUUID(&m.UserID)
	orString(&m.Environment, EnvironmentProduction)
}
