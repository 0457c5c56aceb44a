package models

import "time"

// ExecutionRequestedEvent is stored when a user asks for a script to be run.
type ExecutionRequestedEvent struct {
	EventBase       `bson:",inline"`
	ExecutionID     string        `bson:"execution_id"`
	Script          string        `bson:"script"`
	Language        string        `bson:"language"`
	LanguageVersion string        `bson:"language_version"`
	RuntimeImage    string        `bson:"runtime_image"`
	RuntimeCommand  []string      `bson:"runtime_command"`
	RuntimeFilename string        `bson:"runtime_filename"`
	TimeoutSeconds  int           `bson:"timeout_seconds"`
	CPULimit        string        `bson:"cpu_limit"`
	MemoryLimit     string        `bson:"memory_limit"`
	CPURequest      string        `bson:"cpu_request"`
	MemoryRequest   string        `bson:"memory_request"`
	Priority        QueuePriority `bson:"priority"`
}

// Variant returns the event_type of ExecutionRequestedEvent, execution_requested.
func (ExecutionRequestedEvent) Variant() string { return string(EventTypeExecutionRequested) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *ExecutionRequestedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orString(&e.Priority, QueuePriorityNormal)
}

// ExecutionAcceptedEvent is stored when a requested execution is accepted into the queue.
type ExecutionAcceptedEvent struct {
	EventBase            `bson:",inline"`
	ExecutionID          string        `bson:"execution_id"`
	QueuePosition        int           `bson:"queue_position"`
	EstimatedWaitSeconds *float64      `bson:"estimated_wait_seconds"`
	Priority             QueuePriority `bson:"priority"`
}

// Variant returns the event_type of ExecutionAcceptedEvent, execution_accepted.
func (ExecutionAcceptedEvent) Variant() string { return string(EventTypeExecutionAccepted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *ExecutionAcceptedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orString(&e.Priority, QueuePriorityNormal)
}

// ExecutionQueuedEvent is stored when an execution waits in the queue.
type ExecutionQueuedEvent struct {
	EventBase          `bson:",inline"`
	ExecutionID        string     `bson:"execution_id"`
	PositionInQueue    *int       `bson:"position_in_queue"`
	EstimatedStartTime *time.Time `bson:"estimated_start_time"`
}

// Variant returns the event_type of ExecutionQueuedEvent, execution_queued.
func (ExecutionQueuedEvent) Variant() string { return string(EventTypeExecutionQueued) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ExecutionQueuedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ExecutionStartedEvent is stored when an execution's pod starts.
type ExecutionStartedEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string  `bson:"execution_id"`
	PodName     string  `bson:"pod_name"`
	NodeName    *string `bson:"node_name"`
	ContainerID *string `bson:"container_id"`
}

// Variant returns the event_type of ExecutionStartedEvent, execution_started.
func (ExecutionStartedEvent) Variant() string { return string(EventTypeExecutionStarted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ExecutionStartedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ExecutionRunningEvent is stored while an execution runs, with its progress.
type ExecutionRunningEvent struct {
	EventBase          `bson:",inline"`
	ExecutionID        string `bson:"execution_id"`
	PodName            string `bson:"pod_name"`
	ProgressPercentage *int   `bson:"progress_percentage"`
}

// Variant returns the event_type of ExecutionRunningEvent, execution_running.
func (ExecutionRunningEvent) Variant() string { return string(EventTypeExecutionRunning) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ExecutionRunningEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ExecutionCompletedEvent is stored when an execution ends with an exit code and its output.
type ExecutionCompletedEvent struct {
	EventBase     `bson:",inline"`
	ExecutionID   string               `bson:"execution_id"`
	ExitCode      int                  `bson:"exit_code"`
	ResourceUsage *ResourceUsageDomain `bson:"resource_usage"`
	Stdout        string               `bson:"stdout"`
	Stderr        string               `bson:"stderr"`
}

// Variant returns the event_type of ExecutionCompletedEvent, execution_completed.
func (ExecutionCompletedEvent) Variant() string { return string(EventTypeExecutionCompleted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ExecutionCompletedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ExecutionFailedEvent is stored when an execution fails, with the kind of error.
type ExecutionFailedEvent struct {
	EventBase     `bson:",inline"`
	ExecutionID   string               `bson:"execution_id"`
	ExitCode      int                  `bson:"exit_code"`
	ErrorType     ExecutionErrorType   `bson:"error_type"`
	ResourceUsage *ResourceUsageDomain `bson:"resource_usage"`
	Stdout        string               `bson:"stdout"`
	Stderr        string               `bson:"stderr"`
}

// Variant returns the event_type of ExecutionFailedEvent, execution_failed.
func (ExecutionFailedEvent) Variant() string { return string(EventTypeExecutionFailed) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
// An exit_code of 0 reads as unset and becomes 1, Python's default: an int cannot tell 0 from absent.
func (e *ExecutionFailedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orInt(&e.ExitCode, 1)
}

// ExecutionTimeoutEvent is stored when an execution runs past its timeout.
type ExecutionTimeoutEvent struct {
	EventBase      `bson:",inline"`
	ExecutionID    string               `bson:"execution_id"`
	TimeoutSeconds int                  `bson:"timeout_seconds"`
	ResourceUsage  *ResourceUsageDomain `bson:"resource_usage"`
	Stdout         string               `bson:"stdout"`
	Stderr         string               `bson:"stderr"`
}

// Variant returns the event_type of ExecutionTimeoutEvent, execution_timeout.
func (ExecutionTimeoutEvent) Variant() string { return string(EventTypeExecutionTimeout) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ExecutionTimeoutEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ExecutionCancelledEvent is stored when an execution is cancelled.
type ExecutionCancelledEvent struct {
	EventBase       `bson:",inline"`
	ExecutionID     string `bson:"execution_id"`
	CancelledBy     string `bson:"cancelled_by"`
	ForceTerminated bool   `bson:"force_terminated"`
}

// Variant returns the event_type of ExecutionCancelledEvent, execution_cancelled.
func (ExecutionCancelledEvent) Variant() string { return string(EventTypeExecutionCancelled) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ExecutionCancelledEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
