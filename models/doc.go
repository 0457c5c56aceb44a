// Package models holds the reference service's document models: its 16
// collections, each with exactly the indexes and TTLs the service needs.
// Each model registers itself in registry.Default when the package is
// imported, so start-up code only calls:
//
//	report, err := odm.Init(ctx, db, registry.All())
package models
