package models

// UserSettingsUpdatedEvent is stored when a user's settings change.
type UserSettingsUpdatedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string   `bson:"user_id"`
	ChangedFields     []string `bson:"changed_fields"`
	Reason            *string  `bson:"reason"`
}

// Variant returns the event_type of UserSettingsUpdatedEvent, user_settings_updated.
func (UserSettingsUpdatedEvent) Variant() string { return string(EventTypeUserSettingsUpdated) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *UserSettingsUpdatedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.ChangedFields)
}

// UserRegisteredEvent is stored when a user registers.
type UserRegisteredEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string `bson:"user_id"`
	Username          string `bson:"username"`
	Email             string `bson:"email"`
}

// Variant returns the event_type of UserRegisteredEvent, user_registered.
func (UserRegisteredEvent) Variant() string { return string(EventTypeUserRegistered) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *UserRegisteredEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// UserLoginEvent is stored when a user logs in.
type UserLoginEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string      `bson:"user_id"`
	LoginMethod       LoginMethod `bson:"login_method"`
	IPAddress         *string     `bson:"ip_address"`
	UserAgent         *string     `bson:"user_agent"`
}

// Variant returns the event_type of UserLoginEvent, user_login.
func (UserLoginEvent) Variant() string { return string(EventTypeUserLogin) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *UserLoginEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// UserLoggedInEvent is stored once a user is logged in.
type UserLoggedInEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string      `bson:"user_id"`
	LoginMethod       LoginMethod `bson:"login_method"`
	IPAddress         *string     `bson:"ip_address"`
	UserAgent         *string     `bson:"user_agent"`
}

// Variant returns the event_type of UserLoggedInEvent, user_logged_in.
func (UserLoggedInEvent) Variant() string { return string(EventTypeUserLoggedIn) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *UserLoggedInEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// UserLoggedOutEvent is stored when a user logs out.
type UserLoggedOutEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string  `bson:"user_id"`
	LogoutReason      *string `bson:"logout_reason"`
}

// Variant returns the event_type of UserLoggedOutEvent, user_logged_out.
func (UserLoggedOutEvent) Variant() string { return string(EventTypeUserLoggedOut) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *UserLoggedOutEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// UserUpdatedEvent is stored when a user's account changes.
type UserUpdatedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string   `bson:"user_id"`
	UpdatedFields     []string `bson:"updated_fields"`
	UpdatedBy         *string  `bson:"updated_by"`
}

// Variant returns the event_type of UserUpdatedEvent, user_updated.
func (UserUpdatedEvent) Variant() string { return string(EventTypeUserUpdated) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields and of its own fields.
func (e *UserUpdatedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
	orEmpty(&e.UpdatedFields)
}

// UserDeletedEvent is stored when a user is deleted.
type UserDeletedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            string  `bson:"user_id"`
	DeletedBy         *string `bson:"deleted_by"`
	Reason            *string `bson:"reason"`
}

// Variant returns the event_type of UserDeletedEvent, user_deleted.
func (UserDeletedEvent) Variant() string { return string(EventTypeUserDeleted) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *UserDeletedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
