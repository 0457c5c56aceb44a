package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

func init() {
	registry.Add(User{}, UserSettings{}, UserSettingsSnapshot{}, SystemSettings{}, AuditLogEntry{})
}

// User is an account, in "users".
type User struct {
	ID             bson.ObjectID `bson:"_id,omitempty"`
	UserID         string        `bson:"user_id" odm:"uniqueIndex"`
	Username       string        `bson:"username" odm:"uniqueIndex"`
	Email          string        `bson:"email" odm:"uniqueIndex"`
	Role           string        `bson:"role"`
	IsActive       *bool         `bson:"is_active"` // default true
	HashedPassword string        `bson:"hashed_password"`
	IsSuperuser    bool          `bson:"is_superuser"`
	CreatedAt      time.Time     `bson:"created_at"`
	UpdatedAt      time.Time     `bson:"updated_at"`
	LastLogin      *time.Time    `bson:"last_login"`
	LastActivity   *time.Time    `bson:"last_activity"`
}

// CollectionName implements odm.CollectionNamer.
func (User) CollectionName() string { return "users" }

// EditorSettings are a user's editor preferences.
type EditorSettings struct {
	FontSize        int   `bson:"font_size"` // 8 to 32, default 14
	TabSize         int   `bson:"tab_size"`  // 2, 4 or 8, default 4
	UseTabs         bool  `bson:"use_tabs"`
	WordWrap        *bool `bson:"word_wrap"`         // default true
	ShowLineNumbers *bool `bson:"show_line_numbers"` // default true
}

// NotificationSettings are a user's notification choices.
type NotificationSettings struct {
	ExecutionCompleted *bool    `bson:"execution_completed"` // default true
	ExecutionFailed    *bool    `bson:"execution_failed"`    // default true
	SystemUpdates      *bool    `bson:"system_updates"`      // default true
	SecurityAlerts     *bool    `bson:"security_alerts"`     // default true
	Channels           []string `bson:"channels"`            // default ["in_app"]
}

// SettingsData is a user's settings, as stored live and in snapshots.
type SettingsData struct {
	ID             bson.ObjectID        `bson:"_id,omitempty"`
	UserID         string               `bson:"user_id"`
	Theme          string               `bson:"theme"`
	Timezone       string               `bson:"timezone"`
	DateFormat     string               `bson:"date_format"`
	TimeFormat     string               `bson:"time_format"`
	Notifications  NotificationSettings `bson:"notifications"`
	Editor         EditorSettings       `bson:"editor"`
	CustomSettings map[string]any       `bson:"custom_settings"`
	Version        int                  `bson:"version"`
	CreatedAt      time.Time            `bson:"created_at"`
	UpdatedAt      time.Time            `bson:"updated_at"`
}

// UserSettings is a user's current settings, in "user_settings": one
// document per user.
type UserSettings struct {
	SettingsData `bson:",inline"`
}

// CollectionName implements odm.CollectionNamer.
func (UserSettings) CollectionName() string { return "user_settings" }

// Indexes implements odm.IndexDeclarer.
func (UserSettings) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("user_id")}, Unique: true}}
}

// UserSettingsSnapshot is a past state of a user's settings, in
// "user_settings_snapshots": many per user.
type UserSettingsSnapshot struct {
	SettingsData `bson:",inline"`
	SnapshotAt   time.Time `bson:"snapshot_at" odm:"index"`
	Reason       *string   `bson:"reason"`
}

// CollectionName implements odm.CollectionNamer.
func (UserSettingsSnapshot) CollectionName() string { return "user_settings_snapshots" }

// Indexes implements odm.IndexDeclarer.
func (UserSettingsSnapshot) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("user_id"))}
}

// SystemSettings is the service-wide configuration, in "system_settings".
// It has no index beyond _id.
type SystemSettings struct {
	ID         bson.ObjectID `bson:"_id,omitempty"`
	SettingsID string        `bson:"settings_id"`
	Config     SystemConfig  `bson:"config"`
	CreatedAt  time.Time     `bson:"created_at"`
	UpdatedAt  time.Time     `bson:"updated_at"`
}

// CollectionName implements odm.CollectionNamer.
func (SystemSettings) CollectionName() string { return "system_settings" }

// AuditLogEntry records one administrative action, in "audit_log".
type AuditLogEntry struct {
	ID        bson.ObjectID  `bson:"_id,omitempty"`
	AuditID   string         `bson:"audit_id" odm:"uniqueIndex"`
	Action    string         `bson:"action"`
	UserID    string         `bson:"user_id" odm:"index"`
	Timestamp time.Time      `bson:"timestamp" odm:"index"`
	Changes   map[string]any `bson:"changes"`
	Reason    string         `bson:"reason"`
}

// CollectionName implements odm.CollectionNamer.
func (AuditLogEntry) CollectionName() string { return "audit_log" }

// SystemConfig is the service's configuration, in system_settings.
type SystemConfig struct {
	MaxTimeoutSeconds       int     `bson:"max_timeout_seconds"`
	MemoryLimit             string  `bson:"memory_limit"`
	CPULimit                string  `bson:"cpu_limit"`
	MaxConcurrentExecutions int     `bson:"max_concurrent_executions"`
	PasswordMinLength       int     `bson:"password_min_length"`
	SessionTimeoutMinutes   int     `bson:"session_timeout_minutes"`
	MaxLoginAttempts        int     `bson:"max_login_attempts"`
	LockoutDurationMinutes  int     `bson:"lockout_duration_minutes"`
	MetricsRetentionDays    int     `bson:"metrics_retention_days"`
	LogLevel                string  `bson:"log_level"`
	EnableTracing           *bool   `bson:"enable_tracing"` // default true
	SamplingRate            float64 `bson:"sampling_rate"`
}

// SetDefaults implements odm.Defaulter with the Python model's defaults: a
// new user_id, role "user", active.
func (u *User) SetDefaults() {
	orString(&u.Role, "user")
	orTrue(&u.IsActive)
	orNewUUID(&u.UserID)
	orNow(&u.CreatedAt)
	orNow(&u.UpdatedAt)
}

func (s *SettingsData) setDefaults() {
	orString(&s.Theme, "auto")
	orString(&s.Timezone, "UTC")
	orString(&s.DateFormat, "YYYY-MM-DD")
	orString(&s.TimeFormat, "24h")
	n := &s.Notifications
	orTrue(&n.ExecutionCompleted)
	orTrue(&n.ExecutionFailed)
	orTrue(&n.SystemUpdates)
	orTrue(&n.SecurityAlerts)
	if n.Channels == nil {
		n.Channels = []string{"in_app"}
	}
	e := &s.Editor
	orInt(&e.FontSize, 14)
	orInt(&e.TabSize, 4)
	orTrue(&e.WordWrap)
	orTrue(&e.ShowLineNumbers)
	orInt(&s.Version, 1)
	orNow(&s.CreatedAt)
	orNow(&s.UpdatedAt)
}

// SetDefaults implements odm.Defaulter with the Python model's defaults:
// theme "auto", UTC, the default notification and editor settings.
func (s *UserSettings) SetDefaults() { s.setDefaults() }

// SetDefaults implements odm.Defaulter with the Python model's defaults.
func (s *UserSettingsSnapshot) SetDefaults() {
	s.setDefaults()
	orNow(&s.SnapshotAt)
}

// SetDefaults implements odm.Defaulter with the Python model's defaults:
// the "global" settings, with the default configuration.
func (s *SystemSettings) SetDefaults() {
	orString(&s.SettingsID, "global")
	c := &s.Config
	orInt(&c.MaxTimeoutSeconds, 300)
	orString(&c.MemoryLimit, "512Mi")
	orString(&c.CPULimit, "2000m")
	orInt(&c.MaxConcurrentExecutions, 10)
	orInt(&c.PasswordMinLength, 8)
	orInt(&c.SessionTimeoutMinutes, 60)
	orInt(&c.MaxLoginAttempts, 5)
	orInt(&c.LockoutDurationMinutes, 15)
	orInt(&c.MetricsRetentionDays, 30)
	orString(&c.LogLevel, "INFO")
	orTrue(&c.EnableTracing)
	orFloat(&c.SamplingRate, 0.1)
	orNow(&s.CreatedAt)
	orNow(&s.UpdatedAt)
}

// SetDefaults implements odm.Defaulter with the Python model's defaults: a
// new audit_id, stamped now.
func (a *AuditLogEntry) SetDefaults() {
	orNewUUID(&a.AuditID)
	orNow(&a.Timestamp)
}
