package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

func init() { registry.Add(Saga{}, Execution{}, ResourceAllocation{}) }

// Saga is the state of one saga run, in "sagas": at most one saga of each
// name per execution. Sagas are written with optimistic concurrency in
// Beanie's style (use_revision), so that the service's Python and Go
// processes can share the collection: RevisionID is a UUID stored as BSON
// binary subtype 4 under "revision_id"; every write through odm.Collection
// matches the UUID the saga was read with and stores a new one. A saga
// written without a revision (absent or null) is read with a zero
// RevisionID, and its first write matches that absence.
type Saga struct {
	ID               bson.ObjectID   `bson:"_id,omitempty"`
	RevisionID       schema.UUID     `bson:"revision_id" odm:"revision"`
	SagaID           string          `bson:"saga_id" odm:"uniqueIndex"`
	SagaName         string          `bson:"saga_name" odm:"index;index:idx_saga_execution_name_unique,priority:2"`
	ExecutionID      string          `bson:"execution_id" odm:"index;uniqueIndex:idx_saga_execution_name_unique,priority:1"`
	State            string          `bson:"state" odm:"index:idx_saga_state;index:idx_saga_state_created,priority:1"`
	CurrentStep      *string         `bson:"current_step"`
	CompletedSteps   []string        `bson:"completed_steps"`
	CompensatedSteps []string        `bson:"compensated_steps"`
	ContextData      SagaContextData `bson:"context_data"`
	ErrorMessage     *string         `bson:"error_message"`
	CreatedAt        time.Time       `bson:"created_at" odm:"index;index:idx_saga_state_created,priority:2"`
	UpdatedAt        time.Time       `bson:"updated_at"`
	CompletedAt      *time.Time      `bson:"completed_at"`
	RetryCount       int             `bson:"retry_count"`
}

// CollectionName implements odm.CollectionNamer.
func (Saga) CollectionName() string { return "sagas" }

// SagaContextData is what a saga's steps share.
type SagaContextData struct {
	ExecutionID          string  `bson:"execution_id"`
	Language             string  `bson:"language"`
	LanguageVersion      *string `bson:"language_version"`
	Script               string  `bson:"script"`
	TimeoutSeconds       *int    `bson:"timeout_seconds"`
	AllocationID         *string `bson:"allocation_id"`
	ResourcesAllocated   bool    `bson:"resources_allocated"`
	PodCreationTriggered bool    `bson:"pod_creation_triggered"`
	UserID               string  `bson:"user_id"`
}

// SetDefaults implements odm.Defaulter with the Python model's defaults: a
// new saga_id, state "created", created and updated now.
func (s *Saga) SetDefaults() {
	orNewUUID(&s.SagaID)
	orString(&s.State, "created")
	orNewUUID(&s.ContextData.UserID)
	orNow(&s.CreatedAt)
	orNow(&s.UpdatedAt)
}

// SetDefaults implements odm.Defaulter with the Python model's defaults: a
// new execution_id, queued, Python 3.11, normal priority.
func (e *Execution) SetDefaults() {
	orNewUUID(&e.ExecutionID)
	orString(&e.Status, "queued")
	orString(&e.Lang, "python")
	orString(&e.LangVersion, "3.11")
	orNow(&e.CreatedAt)
	orNow(&e.UpdatedAt)
	orString(&e.Priority, "normal")
}

// SetDefaults implements odm.Defaulter with the Python model's defaults.
func (a *ResourceAllocation) SetDefaults() {
	orString(&a.Status, "active")
	orNow(&a.AllocatedAt)
}

// ResourceUsage is what an execution consumed.
type ResourceUsage struct {
	ExecutionTimeWallSeconds float64 `bson:"execution_time_wall_seconds"`
	CPUTimeJiffies           int64   `bson:"cpu_time_jiffies"`
	ClkTckHertz              int64   `bson:"clk_tck_hertz"`
	PeakMemoryKB             int64   `bson:"peak_memory_kb"`
}

// Execution is one script execution and its result, in "executions".
type Execution struct {
	ID            bson.ObjectID  `bson:"_id,omitempty"`
	ExecutionID   string         `bson:"execution_id" odm:"uniqueIndex"`
	Script        string         `bson:"script"`
	Status        string         `bson:"status" odm:"index"`
	Stdout        *string        `bson:"stdout"`
	Stderr        *string        `bson:"stderr"`
	Lang          string         `bson:"lang"`
	LangVersion   string         `bson:"lang_version"`
	CreatedAt     time.Time      `bson:"created_at" odm:"index"`
	UpdatedAt     time.Time      `bson:"updated_at"`
	ResourceUsage *ResourceUsage `bson:"resource_usage"`
	UserID        *string        `bson:"user_id" odm:"index"`
	ExitCode      *int           `bson:"exit_code"`
	ErrorType     *string        `bson:"error_type"`
	Priority      string         `bson:"priority" odm:"index"`
}

// CollectionName implements odm.CollectionNamer.
func (Execution) CollectionName() string { return "executions" }

// ResourceAllocation is the resources granted to one execution, in
// "resource_allocations".
type ResourceAllocation struct {
	ID            bson.ObjectID `bson:"_id,omitempty"`
	AllocationID  string        `bson:"allocation_id" odm:"uniqueIndex"`
	ExecutionID   string        `bson:"execution_id" odm:"index"`
	Language      string        `bson:"language" odm:"index"`
	CPURequest    string        `bson:"cpu_request"`
	MemoryRequest string        `bson:"memory_request"`
	CPULimit      string        `bson:"cpu_limit"`
	MemoryLimit   string        `bson:"memory_limit"`
	Status        string        `bson:"status" odm:"index"`
	AllocatedAt   time.Time     `bson:"allocated_at"`
	ReleasedAt    *time.Time    `bson:"released_at"`
}

// CollectionName implements odm.CollectionNamer.
func (ResourceAllocation) CollectionName() string { return "resource_allocations" }
