package models

// SystemErrorEvent is stored when a service reports an internal error.
type SystemErrorEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	ErrorType         string  `bson:"error_type"`
	Message           string  `bson:"message"`
	ServiceName       string  `bson:"service_name"`
	StackTrace        *string `bson:"stack_trace"`
}

// Variant returns the event_type of SystemErrorEvent, system_error.
func (SystemErrorEvent) Variant() string { return string(EventTypeSystemError) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *SystemErrorEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ServiceUnhealthyEvent is stored when a service fails a health check.
type ServiceUnhealthyEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	ServiceName       string `bson:"service_name"`
	HealthCheck       string `bson:"health_check"`
	Reason            string `bson:"reason"`
}

// Variant returns the event_type of ServiceUnhealthyEvent, service_unhealthy.
func (ServiceUnhealthyEvent) Variant() string { return string(EventTypeServiceUnhealthy) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ServiceUnhealthyEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}

// ServiceRecoveredEvent is stored when a service passes its health check again.
type ServiceRecoveredEvent struct {
	EventBase         `bson:",inline"`
	StoredExecutionID `bson:",inline"`
	ServiceName       string `bson:"service_name"`
	HealthCheck       string `bson:"health_check"`
	DowntimeSeconds   int    `bson:"downtime_seconds"`
}

// Variant returns the event_type of ServiceRecoveredEvent, service_recovered.
func (ServiceRecoveredEvent) Variant() string { return string(EventTypeServiceRecovered) }

// SetDefaults implements odm.Defaulter with the Python defaults of the base fields.
func (e *ServiceRecoveredEvent) SetDefaults() {
	e.EventBase.setDefaults(e.Variant())
}
