package models

// ResultStoredEvent is stored when an execution's result has been saved.
type ResultStoredEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string       `bson:"execution_id"`
	StorageType *StorageType `bson:"storage_type"`
	StoragePath string       `bson:"storage_path"`
	SizeBytes   int          `bson:"size_bytes"`
}

// Variant returns the event_type of ResultStoredEvent, result_stored.
func (ResultStoredEvent) Variant() string { return string(EventTypeResultStored) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ResultStoredEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ResultFailedEvent is stored when an execution's result could not be saved.
type ResultFailedEvent struct {
	EventBase   `bson:",inline"`
	ExecutionID string       `bson:"execution_id"`
	StorageType *StorageType `bson:"storage_type"`
}

// Variant returns the event_type of ResultFailedEvent, result_failed.
func (ResultFailedEvent) Variant() string { return string(EventTypeResultFailed) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ResultFailedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
