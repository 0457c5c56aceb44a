// Package modelcache holds what package schema reads once per model type:
// each type's description with its problems. It lies below schema, so
// that memo, which remembers Collect's answers above it, can drop both
// for benchmarks of the first description; it is an implementation
// detail.
//
// It imports the standard library only.
package modelcache
