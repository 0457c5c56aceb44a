package models

import "time"

// DLQMessageReceivedEvent is stored when a failed message enters the dead-letter queue.
type DLQMessageReceivedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	DLQEventID        string    `bson:"dlq_event_id"`
	OriginalTopic     string    `bson:"original_topic"`
	OriginalEventType EventType `bson:"original_event_type"`
	Error             string    `bson:"error"`
	RetryCount        int       `bson:"retry_count"`
	ProducerID        string    `bson:"producer_id"`
	FailedAt          time.Time `bson:"failed_at"`
}

// Variant returns the event_type of DLQMessageReceivedEvent, dlq_message_received.
func (DLQMessageReceivedEvent) Variant() string { return string(EventTypeDLQMessageReceived) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *DLQMessageReceivedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// DLQMessageRetriedEvent is stored when a dead-letter message is retried.
type DLQMessageRetriedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	DLQEventID        string    `bson:"dlq_event_id"`
	OriginalTopic     string    `bson:"original_topic"`
	OriginalEventType EventType `bson:"original_event_type"`
	RetryCount        int       `bson:"retry_count"`
	RetryTopic        string    `bson:"retry_topic"`
}

// Variant returns the event_type of DLQMessageRetriedEvent, dlq_message_retried.
func (DLQMessageRetriedEvent) Variant() string { return string(EventTypeDLQMessageRetried) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *DLQMessageRetriedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// DLQMessageDiscardedEvent is stored when a dead-letter message is discarded.
type DLQMessageDiscardedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	DLQEventID        string    `bson:"dlq_event_id"`
	OriginalTopic     string    `bson:"original_topic"`
	OriginalEventType EventType `bson:"original_event_type"`
	Reason            string    `bson:"reason"`
	RetryCount        int       `bson:"retry_count"`
}

// Variant returns the event_type of DLQMessageDiscardedEvent, dlq_message_discarded.
func (DLQMessageDiscardedEvent) Variant() string { return string(EventTypeDLQMessageDiscarded) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *DLQMessageDiscardedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
