package models

// ResourceLimitExceededEvent is stored when a request asks for more of a resource than allowed.
type ResourceLimitExceededEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	ResourceType      string  `bson:"resource_type"`
	Limit             int     `bson:"limit"`
	Requested         int     `bson:"requested"`
	UserID            *string `bson:"user_id"`
}

// Variant returns the event_type of ResourceLimitExceededEvent, resource_limit_exceeded.
func (ResourceLimitExceededEvent) Variant() string { return string(EventTypeResourceLimitExceeded) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ResourceLimitExceededEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// QuotaExceededEvent is stored when a user exceeds a quota.
type QuotaExceededEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	QuotaType         string `bson:"quota_type"`
	Limit             int    `bson:"limit"`
	CurrentUsage      int    `bson:"current_usage"`
	UserID            string `bson:"user_id"`
}

// Variant returns the event_type of QuotaExceededEvent, quota_exceeded.
func (QuotaExceededEvent) Variant() string { return string(EventTypeQuotaExceeded) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *QuotaExceededEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
