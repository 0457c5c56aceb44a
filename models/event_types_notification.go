package models

import "time"

// NotificationCreatedEvent is stored when a notification is created for a user.
type NotificationCreatedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	NotificationID    string                `bson:"notification_id"`
	UserID            string                `bson:"user_id"`
	Subject           string                `bson:"subject"`
	Body              string                `bson:"body"`
	Severity          NotificationSeverity  `bson:"severity"`
	Tags              []string              `bson:"tags"`
	Channels          []NotificationChannel `bson:"channels"`
}

// Variant returns the event_type of NotificationCreatedEvent, notification_created.
func (NotificationCreatedEvent) Variant() string { return string(EventTypeNotificationCreated) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *NotificationCreatedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.Tags)
	orEmpty(&e.Channels)
}

// NotificationSentEvent is stored when a notification is sent on a channel.
type NotificationSentEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	NotificationID    string              `bson:"notification_id"`
	UserID            string              `bson:"user_id"`
	Channel           NotificationChannel `bson:"channel"`
	SentAt            time.Time           `bson:"sent_at"`
}

// Variant returns the event_type of NotificationSentEvent, notification_sent.
func (NotificationSentEvent) Variant() string { return string(EventTypeNotificationSent) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *NotificationSentEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// NotificationDeliveredEvent is stored when a notification reaches its channel.
type NotificationDeliveredEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	NotificationID    string              `bson:"notification_id"`
	UserID            string              `bson:"user_id"`
	Channel           NotificationChannel `bson:"channel"`
	DeliveredAt       time.Time           `bson:"delivered_at"`
}

// Variant returns the event_type of NotificationDeliveredEvent, notification_delivered.
func (NotificationDeliveredEvent) Variant() string { return string(EventTypeNotificationDelivered) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *NotificationDeliveredEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// NotificationFailedEvent is stored when a notification could not be sent.
type NotificationFailedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	NotificationID    string              `bson:"notification_id"`
	UserID            string              `bson:"user_id"`
	Channel           NotificationChannel `bson:"channel"`
	Error             string              `bson:"error"`
	RetryCount        int                 `bson:"retry_count"`
}

// Variant returns the event_type of NotificationFailedEvent, notification_failed.
func (NotificationFailedEvent) Variant() string { return string(EventTypeNotificationFailed) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *NotificationFailedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// NotificationReadEvent is stored when a user reads a notification.
type NotificationReadEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	NotificationID    string    `bson:"notification_id"`
	UserID            string    `bson:"user_id"`
	ReadAt            time.Time `bson:"read_at"`
}

// Variant returns the event_type of NotificationReadEvent, notification_read.
func (NotificationReadEvent) Variant() string { return string(EventTypeNotificationRead) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *NotificationReadEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// NotificationAllReadEvent is stored when a user marks all notifications read.
type NotificationAllReadEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string    `bson:"user_id"`
	Count             int       `bson:"count"`
	ReadAt            time.Time `bson:"read_at"`
}

// Variant returns the event_type of NotificationAllReadEvent, notification_all_read.
func (NotificationAllReadEvent) Variant() string { return string(EventTypeNotificationAllRead) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *NotificationAllReadEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// NotificationClickedEvent is stored when a user clicks a notification.
type NotificationClickedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	NotificationID    string    `bson:"notification_id"`
	UserID            string    `bson:"user_id"`
	ClickedAt         time.Time `bson:"clicked_at"`
	Action            *string   `bson:"action"`
}

// Variant returns the event_type of NotificationClickedEvent, notification_clicked.
func (NotificationClickedEvent) Variant() string { return string(EventTypeNotificationClicked) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *NotificationClickedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// NotificationPreferencesUpdatedEvent is stored when a user's notification preferences change.
type NotificationPreferencesUpdatedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string   `bson:"user_id"`
	ChangedFields     []string `bson:"changed_fields"`
}

// Variant returns the event_type of NotificationPreferencesUpdatedEvent, notification_preferences_updated.
func (NotificationPreferencesUpdatedEvent) Variant() string {
	return string(EventTypeNotificationPreferencesUpdated)
}

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *NotificationPreferencesUpdatedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.ChangedFields)
}
