package models

// ScriptSavedEvent is stored when a user saves a script.
type ScriptSavedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	ScriptID          string `bson:"script_id"`
	UserID            string `bson:"user_id"`
	Title             string `bson:"title"`
	Language          string `bson:"language"`
}

// Variant returns the event_type of ScriptSavedEvent, script_saved.
func (ScriptSavedEvent) Variant() string { return string(EventTypeScriptSaved) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ScriptSavedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ScriptDeletedEvent is stored when a saved script is deleted.
type ScriptDeletedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	ScriptID          string  `bson:"script_id"`
	UserID            string  `bson:"user_id"`
	DeletedBy         *string `bson:"deleted_by"`
}

// Variant returns the event_type of ScriptDeletedEvent, script_deleted.
func (ScriptDeletedEvent) Variant() string { return string(EventTypeScriptDeleted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ScriptDeletedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ScriptSharedEvent is stored when a saved script is shared with other users.
type ScriptSharedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	ScriptID          string   `bson:"script_id"`
	SharedBy          string   `bson:"shared_by"`
	SharedWith        []string `bson:"shared_with"`
	Permissions       string   `bson:"permissions"`
}

// Variant returns the event_type of ScriptSharedEvent, script_shared.
func (ScriptSharedEvent) Variant() string { return string(EventTypeScriptShared) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *ScriptSharedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.SharedWith)
}
