package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/registry"
)

func init() { registry.Add(ReplaySession{}, SavedScript{}, IdempotencyKey{}) }

// ReplaySession is one replay of stored events, in "replay_sessions".
type ReplaySession struct {
	ID                  bson.ObjectID `bson:"_id,omitempty"`
	SessionID           string        `bson:"session_id" odm:"uniqueIndex"`
	ReplayID            string        `bson:"replay_id" odm:"index"`
	Config              ReplayConfig  `bson:"config"`
	Status              string        `bson:"status" odm:"index"`
	TotalEvents         int           `bson:"total_events"`
	ReplayedEvents      int           `bson:"replayed_events"`
	FailedEvents        int           `bson:"failed_events"`
	SkippedEvents       int           `bson:"skipped_events"`
	CreatedAt           time.Time     `bson:"created_at" odm:"index"`
	StartedAt           *time.Time    `bson:"started_at"`
	CompletedAt         *time.Time    `bson:"completed_at"`
	LastEventAt         *time.Time    `bson:"last_event_at"`
	Errors              []ReplayError `bson:"errors"`
	CreatedBy           *string       `bson:"created_by"`
	TargetService       *string       `bson:"target_service"`
	DryRun              bool          `bson:"dry_run"`
	TriggeredExecutions []string      `bson:"triggered_executions"`
	Error               *string       `bson:"error"`
}

// CollectionName implements odm.CollectionNamer.
func (ReplaySession) CollectionName() string { return "replay_sessions" }

// SavedScript is a script a user saved, in "saved_scripts".
type SavedScript struct {
	ID          bson.ObjectID `bson:"_id,omitempty"`
	ScriptID    string        `bson:"script_id" odm:"uniqueIndex"`
	UserID      string        `bson:"user_id" odm:"index"`
	Name        string        `bson:"name"`
	Script      string        `bson:"script"`
	Lang        string        `bson:"lang"`
	LangVersion string        `bson:"lang_version"`
	Description *string       `bson:"description"`
	CreatedAt   time.Time     `bson:"created_at"`
	UpdatedAt   time.Time     `bson:"updated_at"`
}

// CollectionName implements odm.CollectionNamer.
func (SavedScript) CollectionName() string { return "saved_scripts" }

// IdempotencyKey records that an event was processed, in
// "idempotency_keys". Keys are removed an hour after they are created.
type IdempotencyKey struct {
	ID                   bson.ObjectID `bson:"_id,omitempty"`
	Key                  string        `bson:"key" odm:"uniqueIndex:idx_idem_key_unique"`
	Status               string        `bson:"status" odm:"index:idx_idem_status"`
	EventType            string        `bson:"event_type" odm:"index:idx_idem_event_type"`
	EventID              string        `bson:"event_id"`
	CreatedAt            time.Time     `bson:"created_at" odm:"index:idx_idem_created_ttl,ttl:1h"`
	TTLSeconds           int           `bson:"ttl_seconds"`
	CompletedAt          *time.Time    `bson:"completed_at"`
	ProcessingDurationMs *int64        `bson:"processing_duration_ms"`
	Error                *string       `bson:"error"`
	ResultJSON           *string       `bson:"result_json"`
}

// CollectionName implements odm.CollectionNamer.
func (IdempotencyKey) CollectionName() string { return "idempotency_keys" }

// ReplayConfig is what a replay session replays, and how.
type ReplayConfig struct {
	ReplayType             string            `bson:"replay_type"`
	Target                 string            `bson:"target"`
	Filter                 ReplayFilter      `bson:"filter"`
	SpeedMultiplier        float64           `bson:"speed_multiplier"`
	PreserveTimestamps     bool              `bson:"preserve_timestamps"`
	BatchSize              int               `bson:"batch_size"`
	MaxEvents              *int              `bson:"max_events"`
	TargetTopics           map[string]string `bson:"target_topics,omitempty"`
	TargetFilePath         *string           `bson:"target_file_path"`
	SkipErrors             *bool             `bson:"skip_errors"` // default true
	RetryFailed            bool              `bson:"retry_failed"`
	RetryAttempts          int               `bson:"retry_attempts"`
	EnableProgressTracking *bool             `bson:"enable_progress_tracking"` // default true
}

// ReplayFilter selects the events a replay replays; every field is
// optional.
type ReplayFilter struct {
	EventIDs          []string   `bson:"event_ids,omitempty"`
	ExecutionID       *string    `bson:"execution_id"`
	AggregateID       *string    `bson:"aggregate_id"`
	EventTypes        []string   `bson:"event_types,omitempty"`
	ExcludeEventTypes []string   `bson:"exclude_event_types,omitempty"`
	StartTime         *time.Time `bson:"start_time"`
	EndTime           *time.Time `bson:"end_time"`
	UserID            *string    `bson:"user_id"`
	ServiceName       *string    `bson:"service_name"`
}

// ReplayError is one event a replay failed on.
type ReplayError struct {
	Timestamp time.Time `bson:"timestamp"`
	Error     string    `bson:"error"`
	ErrorType *string   `bson:"error_type"`
	EventID   *string   `bson:"event_id"`
}

// SetDefaults implements odm.Defaulter with the Python model's defaults:
// status "created", a new replay_id, the configuration's defaults.
func (r *ReplaySession) SetDefaults() {
	orString(&r.Status, "created")
	orNow(&r.CreatedAt)
	orNewUUID(&r.ReplayID)
	c := &r.Config
	orString(&c.Target, "kafka")
	orFloat(&c.SpeedMultiplier, 1.0)
	orInt(&c.BatchSize, 100)
	orTrue(&c.SkipErrors)
	orInt(&c.RetryAttempts, 3)
	orTrue(&c.EnableProgressTracking)
}

// SetDefaults implements odm.Defaulter with the Python model's defaults: a
// new script_id, Python 3.11.
func (s *SavedScript) SetDefaults() {
	orString(&s.Lang, "python")
	orString(&s.LangVersion, "3.11")
	orNewUUID(&s.ScriptID)
	orNow(&s.CreatedAt)
	orNow(&s.UpdatedAt)
}
