// Package shard holds what a user of the shard-aware Init reads or
// passes: the policy (Mode, given to odm.ShardPolicy), the plan row of a
// collection's shard key (Plan, with its Action and Step), what Init did
// about it (Result, with its Outcome and the Drift found across shards),
// and the errors one may errors.As: MismatchError (a collection sharded
// on another key, with the reshardCollection command to run by hand),
// UnsupportedError (a server that cannot shard) and Error (a refused
// shard command).
//
// Init never reshards, unshards, moves a collection, touches zones or
// sends enableSharding. The machinery that recognises the deployment,
// reads a collection's key, plans and sends the steps, and checks the
// indexes across shards is internal to the library; this package holds
// data and messages only.
//
// It imports the driver's BSON and error types and the key rendering it
// shares with the machinery, nothing above it: packages odm and outcome
// show its types, and the internal machinery fills them in.
package shard
