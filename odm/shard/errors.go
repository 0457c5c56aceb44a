package shard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/shardkey"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Error is a refusal of a shard command, or a failure to read a
// collection's sharding state, naming the collection, the command, the
// key or index, and the server's reply.
type Error struct {
	Collection string // the namespace, db.collection
	Op         string // the command
	Key        string // the declared key, when the command was about it
	Index      string // the index, when the command was about one
	// Busy: another operation (a reshard, a movePrimary, a concurrent
	// shardCollection) holds the collection; Init did nothing more in it.
	Busy bool
	Err  error
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("odm: ")
	if e.Collection != "" {
		fmt.Fprintf(&b, "collection %s: ", e.Collection)
	}
	b.WriteString(e.Op)
	if e.Key != "" {
		fmt.Fprintf(&b, " with shard key %s", e.Key)
	}
	if e.Index != "" {
		fmt.Fprintf(&b, " of index %s", e.Index)
	}
	if e.Busy {
		b.WriteString(": another operation holds the collection; its index changes wait for the next run")
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the server's reply.
func (e *Error) Unwrap() error { return e.Err }

// UnsupportedError reports a server that cannot shard: it has no
// shardCollection (FerretDB), or it lacks refineCollectionShardKey.
type UnsupportedError struct {
	Collection string
	Command    string
	Err        error
}

// Error implements the error interface.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("odm: collection %s: the server does not support %s: %v", e.Collection, e.Command, e.Err)
}

// Unwrap returns the server's reply.
func (e *UnsupportedError) Unwrap() error { return e.Err }

// MismatchError reports a collection sharded on another key (or unique
// flag) than its model declares. Init never reshards: the error shows the
// reshardCollection command an operator can run.
type MismatchError struct {
	Namespace string
	Declared  bson.D
	Unique    bool
	// Listed is the key the cluster has; nil when it could not be read
	// (then Err, the server's reply, says what it knows).
	Listed       bson.D
	ListedUnique bool
	Err          error
}

// Error implements the error interface.
func (e *MismatchError) Error() string {
	listed := "another key"
	if e.Listed != nil {
		listed = shardkey.Format(e.Listed, e.ListedUnique)
	}
	msg := fmt.Sprintf("odm: collection %s: the model declares shard key %s but the collection is sharded on %s. "+
		"Init never reshards (it rewrites every document, needs about 1.2x the collection's storage and blocks writes for about 2 seconds); "+
		"to reshard by hand, run on the cluster: %s", e.Namespace, shardkey.Format(e.Declared, e.Unique), listed, e.ReshardCommand())
	if e.Err != nil {
		msg += " (server: " + errorMessage(e.Err) + ")"
	}
	return msg
}

// Unwrap returns the server's reply, when there was one.
func (e *MismatchError) Unwrap() error { return e.Err }

// ReshardCommand is the mongosh command that reshards the collection onto
// the declared key.
func (e *MismatchError) ReshardCommand() string {
	cmd := fmt.Sprintf("db.adminCommand({reshardCollection: %q, key: %s", e.Namespace, shardkey.Doc(e.Declared))
	if e.Unique {
		cmd += ", unique: true"
	}
	return cmd + "})"
}

// errorMessage is a command error's message without the driver's
// decoration, the whole error otherwise.
func errorMessage(err error) string {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}
