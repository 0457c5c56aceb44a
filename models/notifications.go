package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/registry"
)

func init() { registry.Add(Notification{}, NotificationSubscription{}) }

// Notification is one message to a user, in "notifications". Notifications
// are removed 30 days after they are created; that TTL index is the only
// index on created_at alone (MongoDB keeps one index per key pattern).
type Notification struct {
	ID             bson.ObjectID     `bson:"_id,omitempty"`
	NotificationID string            `bson:"notification_id" odm:"uniqueIndex"`
	UserID         string            `bson:"user_id" odm:"index;index:idx_notif_user_created_desc,priority:1"`
	Channel        string            `bson:"channel"`
	Severity       string            `bson:"severity"`
	Status         string            `bson:"status" odm:"index:idx_notif_status_sched,priority:1"`
	Subject        string            `bson:"subject"`
	Body           string            `bson:"body"`
	ActionURL      string            `bson:"action_url"`
	Tags           []string          `bson:"tags"`
	CreatedAt      time.Time         `bson:"created_at" odm:"index:idx_notif_user_created_desc,priority:2,sort:desc;index:idx_notif_ttl,ttl:720h"`
	ScheduledFor   *time.Time        `bson:"scheduled_for" odm:"index:idx_notif_status_sched,priority:2"`
	SentAt         *time.Time        `bson:"sent_at"`
	DeliveredAt    *time.Time        `bson:"delivered_at"`
	ReadAt         *time.Time        `bson:"read_at"`
	ClickedAt      *time.Time        `bson:"clicked_at"`
	FailedAt       *time.Time        `bson:"failed_at"`
	RetryCount     int               `bson:"retry_count"`
	MaxRetries     int               `bson:"max_retries"`
	ErrorMessage   *string           `bson:"error_message"`
	Metadata       map[string]any    `bson:"metadata"`
	WebhookURL     *string           `bson:"webhook_url"`
	WebhookHeaders map[string]string `bson:"webhook_headers,omitempty"` // null unless set
}

// CollectionName implements odm.CollectionNamer.
func (Notification) CollectionName() string { return "notifications" }

// NotificationSubscription is a user's subscription to one channel, in
// "notification_subscriptions": at most one per user and channel.
type NotificationSubscription struct {
	ID                   bson.ObjectID `bson:"_id,omitempty"`
	UserID               string        `bson:"user_id" odm:"index;uniqueIndex:idx_sub_user_channel_unique,priority:1"`
	Channel              string        `bson:"channel" odm:"index:idx_sub_user_channel_unique,priority:2"`
	Severities           []string      `bson:"severities"`
	IncludeTags          []string      `bson:"include_tags"`
	ExcludeTags          []string      `bson:"exclude_tags"`
	Enabled              *bool         `bson:"enabled" odm:"index:idx_sub_enabled"` // default true
	WebhookURL           *string       `bson:"webhook_url"`
	SlackWebhook         *string       `bson:"slack_webhook"`
	QuietHoursEnabled    bool          `bson:"quiet_hours_enabled"`
	QuietHoursStart      *string       `bson:"quiet_hours_start"`
	QuietHoursEnd        *string       `bson:"quiet_hours_end"`
	Timezone             string        `bson:"timezone"`
	BatchIntervalMinutes int           `bson:"batch_interval_minutes"`
	CreatedAt            time.Time     `bson:"created_at"`
	UpdatedAt            time.Time     `bson:"updated_at"`
}

// CollectionName implements odm.CollectionNamer.
func (NotificationSubscription) CollectionName() string { return "notification_subscriptions" }

// SetDefaults implements odm.Defaulter with the Python model's defaults: a
// new notification_id, severity "medium", status "pending", created now,
// at most 3 retries.
func (n *Notification) SetDefaults() {
	orNewUUID(&n.NotificationID)
	orString(&n.Severity, "medium")
	orString(&n.Status, "pending")
	orNow(&n.CreatedAt)
	orInt(&n.MaxRetries, 3)
}

// SetDefaults implements odm.Defaulter with the Python model's defaults:
// enabled, time zone UTC, batches every 60 minutes.
func (s *NotificationSubscription) SetDefaults() {
	orTrue(&s.Enabled)
	orString(&s.Timezone, "UTC")
	orInt(&s.BatchIntervalMinutes, 60)
	orNow(&s.CreatedAt)
	orNow(&s.UpdatedAt)
}
