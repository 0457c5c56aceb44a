package models

// SecurityViolationEvent is stored when a security rule is broken.
type SecurityViolationEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            *string `bson:"user_id"`
	ViolationType     string  `bson:"violation_type"`
	Details           string  `bson:"details"`
	IPAddress         *string `bson:"ip_address"`
}

// Variant returns the event_type of SecurityViolationEvent, security_violation.
func (SecurityViolationEvent) Variant() string { return string(EventTypeSecurityViolation) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *SecurityViolationEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// RateLimitExceededEvent is stored when a caller exceeds an endpoint's rate limit.
type RateLimitExceededEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	UserID            *string `bson:"user_id"`
	Endpoint          string  `bson:"endpoint"`
	Limit             int     `bson:"limit"`
	WindowSeconds     int     `bson:"window_seconds"`
}

// Variant returns the event_type of RateLimitExceededEvent, rate_limit_exceeded.
func (RateLimitExceededEvent) Variant() string { return string(EventTypeRateLimitExceeded) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *RateLimitExceededEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// AuthFailedEvent is stored when an authentication attempt fails.
type AuthFailedEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	Username          *string `bson:"username"`
	Reason            string  `bson:"reason"`
	IPAddress         *string `bson:"ip_address"`
}

// Variant returns the event_type of AuthFailedEvent, auth_failed.
func (AuthFailedEvent) Variant() string { return string(EventTypeAuthFailed) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *AuthFailedEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
