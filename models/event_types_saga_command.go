package models

// CreatePodCommandEvent is stored when a saga commands the pod of an execution to be created.
type CreatePodCommandEvent struct {
	EventBase       `bson:",inline"`
	SagaID          string        `bson:"saga_id"`
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

// Variant returns the event_type of CreatePodCommandEvent, create_pod_command.
func (CreatePodCommandEvent) Variant() string { return string(EventTypeCreatePodCommand) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *CreatePodCommandEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.RuntimeCommand)
	orString(&e.Priority, QueuePriorityNormal)
}

// DeletePodCommandEvent is stored when a saga commands the pod of an execution to be deleted.
type DeletePodCommandEvent struct {
	EventBase   `bson:",inline"`
	SagaID      string  `bson:"saga_id"`
	ExecutionID string  `bson:"execution_id"`
	Reason      string  `bson:"reason"`
	PodName     *string `bson:"pod_name"`
	Namespace   *string `bson:"namespace"`
}

// Variant returns the event_type of DeletePodCommandEvent, delete_pod_command.
func (DeletePodCommandEvent) Variant() string { return string(EventTypeDeletePodCommand) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *DeletePodCommandEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// AllocateResourcesCommandEvent is stored when resources are to be allocated to an execution.
type AllocateResourcesCommandEvent struct {
	EventBase     `bson:",inline"`
	ExecutionID   string `bson:"execution_id"`
	CPURequest    string `bson:"cpu_request"`
	MemoryRequest string `bson:"memory_request"`
}

// Variant returns the event_type of AllocateResourcesCommandEvent, allocate_resources_command.
func (AllocateResourcesCommandEvent) Variant() string {
	return string(EventTypeAllocateResourcesCommand)
}

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *AllocateResourcesCommandEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ReleaseResourcesCommandEvent is stored when an execution's resources are to be released.
type ReleaseResourcesCommandEvent struct {
	EventBase     `bson:",inline"`
	ExecutionID   string `bson:"execution_id"`
	CPURequest    string `bson:"cpu_request"`
	MemoryRequest string `bson:"memory_request"`
}

// Variant returns the event_type of ReleaseResourcesCommandEvent, release_resources_command.
func (ReleaseResourcesCommandEvent) Variant() string { return string(EventTypeReleaseResourcesCommand) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ReleaseResourcesCommandEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
