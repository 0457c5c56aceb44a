// Package engine brings a database to its declarations: it lists each
// collection, plans the steps the comparison calls for under the caller's
// policies, and applies them in one retry and re-plan loop with a lease for
// destructive steps and build progress, classifying the server's replies
// with its profile (package serverprofile: what each server kept, refused
// or lacks).
//
// It may use schema, diff, query, shard, sharding (the shard key's
// machinery), serverprofile and the driver. It is internal: package odm is its only
// caller, and re-exports what callers see (Report, the plan, the errors,
// the options).
package engine
