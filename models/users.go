package models

import (
	"time"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/registry"
)

func init() {
	registry.MustRegister(User{}, UserSettings{}, UserSettingsSnapshot{}, SystemSettings{}, AuditLogEntry{})
}

// User is an account, in "users".
type User struct {
	UserID         string     `bson:"user_id" odm:"uniqueIndex"`
	Username       string     `bson:"username" odm:"uniqueIndex"`
	Email          string     `bson:"email" odm:"uniqueIndex"`
	Role           string     `bson:"role"`
	IsActive       bool       `bson:"is_active"`
	HashedPassword string     `bson:"hashed_password"`
	IsSuperuser    bool       `bson:"is_superuser"`
	CreatedAt      time.Time  `bson:"created_at"`
	UpdatedAt      time.Time  `bson:"updated_at"`
	LastLogin      *time.Time `bson:"last_login"`
	LastActivity   *time.Time `bson:"last_activity"`
}

// CollectionName implements odm.CollectionNamer.
func (User) CollectionName() string { return "users" }

// EditorSettings are a user's editor preferences.
type EditorSettings struct {
	FontSize        int  `bson:"font_size"`
	TabSize         int  `bson:"tab_size"`
	UseTabs         bool `bson:"use_tabs"`
	WordWrap        bool `bson:"word_wrap"`
	ShowLineNumbers bool `bson:"show_line_numbers"`
}

// SettingsData is a user's settings, as stored live and in snapshots.
type SettingsData struct {
	UserID         string         `bson:"user_id"`
	Theme          string         `bson:"theme"`
	Timezone       string         `bson:"timezone"`
	DateFormat     string         `bson:"date_format"`
	TimeFormat     string         `bson:"time_format"`
	Notifications  map[string]any `bson:"notifications"`
	Editor         EditorSettings `bson:"editor"`
	CustomSettings map[string]any `bson:"custom_settings"`
	Version        int            `bson:"version"`
	CreatedAt      time.Time      `bson:"created_at"`
	UpdatedAt      time.Time      `bson:"updated_at"`
}

// UserSettings is a user's current settings, in "user_settings": one
// document per user.
type UserSettings struct {
	SettingsData `bson:",inline"`
}

// CollectionName implements odm.CollectionNamer.
func (UserSettings) CollectionName() string { return "user_settings" }

// Indexes implements odm.IndexDeclarer.
func (UserSettings) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("user_id")}, Unique: true}}
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
func (UserSettingsSnapshot) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{odm.Index(odm.Asc("user_id"))}
}

// SystemSettings is the service-wide configuration, in "system_settings".
// It has no index beyond _id.
type SystemSettings struct {
	SettingsID string         `bson:"settings_id"`
	Config     map[string]any `bson:"config"`
	CreatedAt  time.Time      `bson:"created_at"`
	UpdatedAt  time.Time      `bson:"updated_at"`
}

// CollectionName implements odm.CollectionNamer.
func (SystemSettings) CollectionName() string { return "system_settings" }

// AuditLogEntry records one administrative action, in "audit_log".
type AuditLogEntry struct {
	AuditID   string         `bson:"audit_id" odm:"uniqueIndex"`
	Action    string         `bson:"action"`
	UserID    string         `bson:"user_id" odm:"index"`
	Timestamp time.Time      `bson:"timestamp" odm:"index"`
	Changes   map[string]any `bson:"changes"`
	Reason    string         `bson:"reason"`
}

// CollectionName implements odm.CollectionNamer.
func (AuditLogEntry) CollectionName() string { return "audit_log" }
