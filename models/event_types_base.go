package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// EventBase holds the fields every stored event has: the reference
// service's base event fields and the two its document model adds on
// storing (stored_at, ttl_expires_at). Each event type embeds it inline
// and declares its own fields beside it, execution_id included where the
// event has one.
type EventBase struct {
	ID      bson.ObjectID `bson:"_id,omitempty"`
	EventID string        `bson:"event_id" odm:"index,unique"`
	// EventType picks the event type a document reads into.
	EventType    EventType     `bson:"event_type" odm:"discriminator"`
	EventVersion string        `bson:"event_version"`
	Timestamp    time.Time     `bson:"timestamp" odm:"index"`
	AggregateID  *string       `bson:"aggregate_id"`
	Metadata     EventMetadata `bson:"metadata"`
	StoredAt     time.Time     `bson:"stored_at"`
	TTLExpiresAt time.Time     `bson:"ttl_expires_at"`
}

// StoredExecutionID is the execution_id the stored event model gives every
// event: the event types without an execution_id of their own embed it
// inline, so that a document's execution_id (null when the event has
// none) is read and written back, and the events collection's indexes on
// execution_id name a field of every event type.
type StoredExecutionID struct {
	ExecutionID *string `bson:"execution_id"`
}

// Base returns the base fields of the event that embeds b.
func (b *EventBase) Base() *EventBase { return b }

// eventTTL is how long an event is kept: the TTL index removes it at its
// ttl_expires_at.
const eventTTL = 30 * 24 * time.Hour

// setDefaults gives the base fields the Python defaults; the event type
// is always the variant's, as each Python class fixes its own.
func (b *EventBase) setDefaults(variant string) {
	b.EventType = EventType(variant)
	b.baseDefaults()
}

// baseDefaults gives the base fields but event_type the Python defaults.
func (b *EventBase) baseDefaults() {
	orNewUUID(&b.EventID)
	orString(&b.EventVersion, "1.0")
	orNow(&b.Timestamp)
	b.Metadata.setDefaults()
	orNow(&b.StoredAt)
	if b.TTLExpiresAt.IsZero() {
		b.TTLExpiresAt = now().Add(eventTTL)
	}
}

// DomainEvent is what the 57 event types share: a pointer to any of them.
type DomainEvent interface {
	// Variant is the event_type value of the event's type.
	Variant() string
	// Base is the event's base fields.
	Base() *EventBase
}

// EventTypes returns a zero value of each of the 57 event types, in the
// order the reference service declares them; a pointer to each is a
// DomainEvent.
func EventTypes() []any {
	return []any{
		ExecutionRequestedEvent{}, ExecutionAcceptedEvent{}, ExecutionQueuedEvent{}, ExecutionStartedEvent{},
		ExecutionRunningEvent{}, ExecutionCompletedEvent{}, ExecutionFailedEvent{}, ExecutionTimeoutEvent{},
		ExecutionCancelledEvent{}, PodCreatedEvent{}, PodScheduledEvent{}, PodRunningEvent{}, PodSucceededEvent{},
		PodFailedEvent{}, PodTerminatedEvent{}, PodDeletedEvent{}, ResultStoredEvent{}, ResultFailedEvent{},
		UserSettingsUpdatedEvent{}, UserRegisteredEvent{}, UserLoginEvent{}, UserLoggedInEvent{},
		UserLoggedOutEvent{}, UserUpdatedEvent{}, UserDeletedEvent{}, NotificationCreatedEvent{},
		NotificationSentEvent{}, NotificationDeliveredEvent{}, NotificationFailedEvent{}, NotificationReadEvent{},
		NotificationAllReadEvent{}, NotificationClickedEvent{}, NotificationPreferencesUpdatedEvent{},
		SagaStartedEvent{}, SagaCompletedEvent{}, SagaFailedEvent{}, SagaCancelledEvent{}, SagaCompensatingEvent{},
		SagaCompensatedEvent{}, CreatePodCommandEvent{}, DeletePodCommandEvent{}, AllocateResourcesCommandEvent{},
		ReleaseResourcesCommandEvent{}, ScriptSavedEvent{}, ScriptDeletedEvent{}, ScriptSharedEvent{},
		SecurityViolationEvent{}, RateLimitExceededEvent{}, AuthFailedEvent{}, ResourceLimitExceededEvent{},
		QuotaExceededEvent{}, SystemErrorEvent{}, ServiceUnhealthyEvent{}, ServiceRecoveredEvent{},
		DLQMessageReceivedEvent{}, DLQMessageRetriedEvent{}, DLQMessageDiscardedEvent{},
	}
}

// ResourceUsageDomain is what an execution consumed, as its events carry it.
type ResourceUsageDomain struct {
	ExecutionTimeWallSeconds float64 `bson:"execution_time_wall_seconds"`
	CPUTimeJiffies           int     `bson:"cpu_time_jiffies"`
	ClkTckHertz              int     `bson:"clk_tck_hertz"`
	PeakMemoryKB             int     `bson:"peak_memory_kb"`
}

// ContainerStatusInfo is the state of one container of an execution's pod.
type ContainerStatusInfo struct {
	Name         string `bson:"name"`
	Ready        bool   `bson:"ready"`
	RestartCount int    `bson:"restart_count"`
	State        string `bson:"state"`
}

// orEmpty makes a nil list an empty one: Python's default [] is stored as
// an empty array, where a nil slice would be stored as null, which the
// Python model refuses.
func orEmpty[E any](s *[]E) {
	if *s == nil {
		*s = []E{}
	}
}

// EventType is the kind of a domain event: the value of its event_type.
type EventType string

// The event types, in the order of the reference service's enum.
const (
	EventTypeExecutionRequested             EventType = "execution_requested"
	EventTypeExecutionAccepted              EventType = "execution_accepted"
	EventTypeExecutionQueued                EventType = "execution_queued"
	EventTypeExecutionStarted               EventType = "execution_started"
	EventTypeExecutionRunning               EventType = "execution_running"
	EventTypeExecutionCompleted             EventType = "execution_completed"
	EventTypeExecutionFailed                EventType = "execution_failed"
	EventTypeExecutionTimeout               EventType = "execution_timeout"
	EventTypeExecutionCancelled             EventType = "execution_cancelled"
	EventTypePodCreated                     EventType = "pod_created"
	EventTypePodScheduled                   EventType = "pod_scheduled"
	EventTypePodRunning                     EventType = "pod_running"
	EventTypePodSucceeded                   EventType = "pod_succeeded"
	EventTypePodFailed                      EventType = "pod_failed"
	EventTypePodTerminated                  EventType = "pod_terminated"
	EventTypePodDeleted                     EventType = "pod_deleted"
	EventTypeUserRegistered                 EventType = "user_registered"
	EventTypeUserLogin                      EventType = "user_login"
	EventTypeUserLoggedIn                   EventType = "user_logged_in"
	EventTypeUserLoggedOut                  EventType = "user_logged_out"
	EventTypeUserUpdated                    EventType = "user_updated"
	EventTypeUserDeleted                    EventType = "user_deleted"
	EventTypeUserSettingsUpdated            EventType = "user_settings_updated"
	EventTypeNotificationCreated            EventType = "notification_created"
	EventTypeNotificationSent               EventType = "notification_sent"
	EventTypeNotificationDelivered          EventType = "notification_delivered"
	EventTypeNotificationFailed             EventType = "notification_failed"
	EventTypeNotificationRead               EventType = "notification_read"
	EventTypeNotificationAllRead            EventType = "notification_all_read"
	EventTypeNotificationClicked            EventType = "notification_clicked"
	EventTypeNotificationPreferencesUpdated EventType = "notification_preferences_updated"
	EventTypeScriptSaved                    EventType = "script_saved"
	EventTypeScriptDeleted                  EventType = "script_deleted"
	EventTypeScriptShared                   EventType = "script_shared"
	EventTypeSecurityViolation              EventType = "security_violation"
	EventTypeRateLimitExceeded              EventType = "rate_limit_exceeded"
	EventTypeAuthFailed                     EventType = "auth_failed"
	EventTypeResourceLimitExceeded          EventType = "resource_limit_exceeded"
	EventTypeQuotaExceeded                  EventType = "quota_exceeded"
	EventTypeSystemError                    EventType = "system_error"
	EventTypeServiceUnhealthy               EventType = "service_unhealthy"
	EventTypeServiceRecovered               EventType = "service_recovered"
	EventTypeResultStored                   EventType = "result_stored"
	EventTypeResultFailed                   EventType = "result_failed"
	EventTypeSagaStarted                    EventType = "saga_started"
	EventTypeSagaCompleted                  EventType = "saga_completed"
	EventTypeSagaFailed                     EventType = "saga_failed"
	EventTypeSagaCancelled                  EventType = "saga_cancelled"
	EventTypeSagaCompensating               EventType = "saga_compensating"
	EventTypeSagaCompensated                EventType = "saga_compensated"
	EventTypeCreatePodCommand               EventType = "create_pod_command"
	EventTypeDeletePodCommand               EventType = "delete_pod_command"
	EventTypeAllocateResourcesCommand       EventType = "allocate_resources_command"
	EventTypeReleaseResourcesCommand        EventType = "release_resources_command"
	EventTypeDLQMessageReceived             EventType = "dlq_message_received"
	EventTypeDLQMessageRetried              EventType = "dlq_message_retried"
	EventTypeDLQMessageDiscarded            EventType = "dlq_message_discarded"
)

// Environment is the deployment an event comes from.
type Environment string

// The environments.
const (
	EnvironmentDevelopment Environment = "development"
	EnvironmentStaging     Environment = "staging"
	EnvironmentProduction  Environment = "production"
	EnvironmentTest        Environment = "test"
)

// LoginMethod is how a user logged in.
type LoginMethod string

// The login methods.
const (
	LoginMethodPassword LoginMethod = "password"
	LoginMethodOAuth    LoginMethod = "oauth"
	LoginMethodSSO      LoginMethod = "sso"
	LoginMethodAPIKey   LoginMethod = "api_key"
)

// QueuePriority is the priority of an execution in the queue.
type QueuePriority string

// The queue priorities.
const (
	QueuePriorityCritical   QueuePriority = "critical"
	QueuePriorityHigh       QueuePriority = "high"
	QueuePriorityNormal     QueuePriority = "normal"
	QueuePriorityLow        QueuePriority = "low"
	QueuePriorityBackground QueuePriority = "background"
)

// NotificationChannel is where a notification is sent.
type NotificationChannel string

// The notification channels.
const (
	NotificationChannelInApp   NotificationChannel = "in_app"
	NotificationChannelWebhook NotificationChannel = "webhook"
	NotificationChannelSlack   NotificationChannel = "slack"
)

// NotificationSeverity is how urgent a notification is.
type NotificationSeverity string

// The notification severities.
const (
	NotificationSeverityLow    NotificationSeverity = "low"
	NotificationSeverityMedium NotificationSeverity = "medium"
	NotificationSeverityHigh   NotificationSeverity = "high"
	NotificationSeverityUrgent NotificationSeverity = "urgent"
)

// ExecutionErrorType is why an execution failed.
type ExecutionErrorType string

// The execution error types.
const (
	ExecutionErrorTypeSystemError      ExecutionErrorType = "system_error"
	ExecutionErrorTypeTimeout          ExecutionErrorType = "timeout"
	ExecutionErrorTypeResourceLimit    ExecutionErrorType = "resource_limit"
	ExecutionErrorTypeScriptError      ExecutionErrorType = "script_error"
	ExecutionErrorTypePermissionDenied ExecutionErrorType = "permission_denied"
)

// StorageType is where an execution's result is stored.
type StorageType string

// The storage types.
const (
	StorageTypeDatabase   StorageType = "database"
	StorageTypeS3         StorageType = "s3"
	StorageTypeFilesystem StorageType = "filesystem"
	StorageTypeRedis      StorageType = "redis"
)
