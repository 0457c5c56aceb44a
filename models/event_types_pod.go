package models

// PodCreatedEvent is stored when the pod of an execution is created.
type PodCreatedEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string `bson:"execution_id"`
	PodName     string `bson:"pod_name"`
	Namespace   string `bson:"namespace"`
}

// Variant returns the event_type of PodCreatedEvent, pod_created.
func (PodCreatedEvent) Variant() string { return string(EventTypePodCreated) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *PodCreatedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orString(&e.Namespace, "default")
}

// PodScheduledEvent is stored when the pod of an execution is scheduled on a node.
type PodScheduledEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string `bson:"execution_id"`
	PodName     string `bson:"pod_name"`
	NodeName    string `bson:"node_name"`
}

// Variant returns the event_type of PodScheduledEvent, pod_scheduled.
func (PodScheduledEvent) Variant() string { return string(EventTypePodScheduled) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *PodScheduledEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// PodRunningEvent is stored when the pod of an execution runs, with its containers' states.
type PodRunningEvent struct {
	EventBase         `bson:",inline"`
	ExecutionID       string                `bson:"execution_id"`
	PodName           string                `bson:"pod_name"`
	ContainerStatuses []ContainerStatusInfo `bson:"container_statuses"`
}

// Variant returns the event_type of PodRunningEvent, pod_running.
func (PodRunningEvent) Variant() string { return string(EventTypePodRunning) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *PodRunningEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.ContainerStatuses)
	for i := range e.ContainerStatuses {
		orString(&e.ContainerStatuses[i].State, "unknown")
	}
}

// PodSucceededEvent is stored when the pod of an execution ends successfully.
type PodSucceededEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string  `bson:"execution_id"`
	PodName     string  `bson:"pod_name"`
	ExitCode    int     `bson:"exit_code"`
	Stdout      *string `bson:"stdout"`
	Stderr      *string `bson:"stderr"`
}

// Variant returns the event_type of PodSucceededEvent, pod_succeeded.
func (PodSucceededEvent) Variant() string { return string(EventTypePodSucceeded) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *PodSucceededEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// PodFailedEvent is stored when the pod of an execution fails.
type PodFailedEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string  `bson:"execution_id"`
	PodName     string  `bson:"pod_name"`
	ExitCode    int     `bson:"exit_code"`
	Reason      *string `bson:"reason"`
	Message     *string `bson:"message"`
	Stdout      *string `bson:"stdout"`
	Stderr      *string `bson:"stderr"`
}

// Variant returns the event_type of PodFailedEvent, pod_failed.
func (PodFailedEvent) Variant() string { return string(EventTypePodFailed) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
// An exit_code of 0 reads as unset and becomes 1, Python's default: an int cannot tell 0 from absent.
func (e *PodFailedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orInt(&e.ExitCode, 1)
}

// PodTerminatedEvent is stored when the pod of an execution is terminated.
type PodTerminatedEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string  `bson:"execution_id"`
	PodName     string  `bson:"pod_name"`
	ExitCode    int     `bson:"exit_code"`
	Reason      *string `bson:"reason"`
	Message     *string `bson:"message"`
}

// Variant returns the event_type of PodTerminatedEvent, pod_terminated.
func (PodTerminatedEvent) Variant() string { return string(EventTypePodTerminated) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *PodTerminatedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// PodDeletedEvent is stored when the pod of an execution is deleted.
type PodDeletedEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string  `bson:"execution_id"`
	PodName     string  `bson:"pod_name"`
	Reason      *string `bson:"reason"`
}

// Variant returns the event_type of PodDeletedEvent, pod_deleted.
func (PodDeletedEvent) Variant() string { return string(EventTypePodDeleted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *PodDeletedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
