// Package repo is the machinery of the typed repositories: Core[T] holds
// a repository's state and runs its every read and write (odm.Collection
// is its public face, a method each), through one write pipeline
// (write_pipeline.go) that single writes and bulk writes share.
//
// It builds the odm package's public errors through Public, which odm
// supplies, so that users match the types they see in its documentation.
package repo
