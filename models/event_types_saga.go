package models

import "time"

// SagaStartedEvent is stored when a saga starts for an execution.
type SagaStartedEvent struct {
	EventBase      `bson:",inline"`
	SagaID         string `bson:"saga_id"`
	SagaName       string `bson:"saga_name"`
	ExecutionID    string `bson:"execution_id"`
	InitialEventID string `bson:"initial_event_id"`
}

// Variant returns the event_type of SagaStartedEvent, saga_started.
func (SagaStartedEvent) Variant() string { return string(EventTypeSagaStarted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *SagaStartedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// SagaCompletedEvent is stored when a saga completes all its steps.
type SagaCompletedEvent struct {
	EventBase      `bson:",inline"`
	SagaID         string   `bson:"saga_id"`
	SagaName       string   `bson:"saga_name"`
	ExecutionID    string   `bson:"execution_id"`
	CompletedSteps []string `bson:"completed_steps"`
}

// Variant returns the event_type of SagaCompletedEvent, saga_completed.
func (SagaCompletedEvent) Variant() string { return string(EventTypeSagaCompleted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *SagaCompletedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.CompletedSteps)
}

// SagaFailedEvent is stored when a saga step fails.
type SagaFailedEvent struct {
	EventBase   `bson:",inline"`
	SagaID      string `bson:"saga_id"`
	SagaName    string `bson:"saga_name"`
	ExecutionID string `bson:"execution_id"`
	FailedStep  string `bson:"failed_step"`
	Error       string `bson:"error"`
}

// Variant returns the event_type of SagaFailedEvent, saga_failed.
func (SagaFailedEvent) Variant() string { return string(EventTypeSagaFailed) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *SagaFailedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// SagaCancelledEvent is stored when a saga is cancelled.
type SagaCancelledEvent struct {
	EventBase        `bson:",inline"`
	SagaID           string     `bson:"saga_id"`
	SagaName         string     `bson:"saga_name"`
	ExecutionID      string     `bson:"execution_id"`
	Reason           string     `bson:"reason"`
	CompletedSteps   []string   `bson:"completed_steps"`
	CompensatedSteps []string   `bson:"compensated_steps"`
	CancelledAt      *time.Time `bson:"cancelled_at"`
	CancelledBy      *string    `bson:"cancelled_by"`
}

// Variant returns the event_type of SagaCancelledEvent, saga_cancelled.
func (SagaCancelledEvent) Variant() string { return string(EventTypeSagaCancelled) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *SagaCancelledEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.CompletedSteps)
	orEmpty(&e.CompensatedSteps)
}

// SagaCompensatingEvent is stored when a saga starts undoing a step.
type SagaCompensatingEvent struct {
	EventBase        `bson:",inline"`
	SagaID           string `bson:"saga_id"`
	SagaName         string `bson:"saga_name"`
	ExecutionID      string `bson:"execution_id"`
	CompensatingStep string `bson:"compensating_step"`
}

// Variant returns the event_type of SagaCompensatingEvent, saga_compensating.
func (SagaCompensatingEvent) Variant() string { return string(EventTypeSagaCompensating) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *SagaCompensatingEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// SagaCompensatedEvent is stored when a saga has undone its steps.
type SagaCompensatedEvent struct {
	EventBase        `bson:",inline"`
	SagaID           string   `bson:"saga_id"`
	SagaName         string   `bson:"saga_name"`
	ExecutionID      string   `bson:"execution_id"`
	CompensatedSteps []string `bson:"compensated_steps"`
}

// Variant returns the event_type of SagaCompensatedEvent, saga_compensated.
func (SagaCompensatedEvent) Variant() string { return string(EventTypeSagaCompensated) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *SagaCompensatedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.CompensatedSteps)
}
