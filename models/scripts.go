package models

import (
	"time"

	"github.com/tagodm/tagodm/registry"
)

func init() { registry.MustRegister(ReplaySession{}, SavedScript{}, IdempotencyKey{}) }

// ReplaySession is one replay of stored events, in "replay_sessions".
type ReplaySession struct {
	SessionID           string           `bson:"session_id" odm:"uniqueIndex"`
	ReplayID            string           `bson:"replay_id" odm:"index"`
	Config              map[string]any   `bson:"config"`
	Status              string           `bson:"status" odm:"index"`
	TotalEvents         int              `bson:"total_events"`
	ReplayedEvents      int              `bson:"replayed_events"`
	FailedEvents        int              `bson:"failed_events"`
	SkippedEvents       int              `bson:"skipped_events"`
	CreatedAt           time.Time        `bson:"created_at" odm:"index"`
	StartedAt           *time.Time       `bson:"started_at"`
	CompletedAt         *time.Time       `bson:"completed_at"`
	LastEventAt         *time.Time       `bson:"last_event_at"`
	Errors              []map[string]any `bson:"errors"`
	CreatedBy           *string          `bson:"created_by"`
	TargetService       *string          `bson:"target_service"`
	DryRun              bool             `bson:"dry_run"`
	TriggeredExecutions []string         `bson:"triggered_executions"`
	Error               *string          `bson:"error"`
}

// CollectionName implements odm.CollectionNamer.
func (ReplaySession) CollectionName() string { return "replay_sessions" }

// SavedScript is a script a user saved, in "saved_scripts".
type SavedScript struct {
	ScriptID    string    `bson:"script_id" odm:"uniqueIndex"`
	UserID      string    `bson:"user_id" odm:"index"`
	Name        string    `bson:"name"`
	Script      string    `bson:"script"`
	Lang        string    `bson:"lang"`
	LangVersion string    `bson:"lang_version"`
	Description *string   `bson:"description"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

// CollectionName implements odm.CollectionNamer.
func (SavedScript) CollectionName() string { return "saved_scripts" }

// IdempotencyKey records that an event was processed, in
// "idempotency_keys". Keys are removed an hour after they are created.
type IdempotencyKey struct {
	Key                  string     `bson:"key" odm:"uniqueIndex:idx_idem_key_unique"`
	Status               string     `bson:"status" odm:"index:idx_idem_status"`
	EventType            string     `bson:"event_type" odm:"index:idx_idem_event_type"`
	EventID              string     `bson:"event_id"`
	CreatedAt            time.Time  `bson:"created_at" odm:"index:idx_idem_created_ttl,ttl:1h"`
	TTLSeconds           int        `bson:"ttl_seconds"`
	CompletedAt          *time.Time `bson:"completed_at"`
	ProcessingDurationMs *int64     `bson:"processing_duration_ms"`
	Error                *string    `bson:"error"`
	ResultJSON           *string    `bson:"result_json"`
}

// CollectionName implements odm.CollectionNamer.
func (IdempotencyKey) CollectionName() string { return "idempotency_keys" }
