package sharding

import (
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// A replyClass is what a reply to shardCollection or
// refineCollectionShardKey means.
type replyClass int

const (
	// replyOther: a failure, passed on as it is.
	replyOther replyClass = iota
	// replyMismatch: the collection is sharded with another key, unique
	// flag or collation (AlreadyInitialized 23). Never success.
	replyMismatch
	// replyBusy: another operation holds the collection (117, 338, 319).
	replyBusy
	// replyDeclaration: the server refuses the key as declared, or over
	// the data (72, 2, 20, time series codes, 67 about the key pattern).
	replyDeclaration
	// replyUnsupported: the server has no such command (59, 115, 238).
	replyUnsupported
)

// shardReplies are the documented codes, a message part where the code
// alone is not enough.
var shardReplies = []struct {
	code    int32
	message string
	class   replyClass
}{
	{23, "", replyMismatch},             // AlreadyInitialized
	{117, "", replyBusy},                // ConflictingOperationInProgress
	{338, "", replyBusy},                // ReshardCollectionInProgress
	{319, "", replyBusy},                // MovePrimaryInProgress
	{59, "", replyUnsupported},          // CommandNotFound
	{115, "", replyUnsupported},         // CommandNotSupported
	{238, "", replyUnsupported},         // NotImplemented
	{67, "shard key", replyDeclaration}, // CannotCreateIndex over the key pattern
	{72, "", replyDeclaration},          // InvalidOptions
	{2, "", replyDeclaration},           // BadValue
	{20, "", replyDeclaration},          // IllegalOperation
	{5914000, "", replyDeclaration},     // time series: time field not last
	{5914001, "", replyDeclaration},     // time series: other field in the key
}

// classify says what a shard command's reply means.
func classify(err error) replyClass {
	code, ok := errorCode(err)
	if !ok {
		return replyOther
	}
	msg := errorMessage(err)
	for _, r := range shardReplies {
		if r.code == code && strings.Contains(msg, r.message) {
			return r.class
		}
	}
	return replyOther
}

func errorCode(err error) (int32, bool) {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		for _, c := range []int32{13, 26, 59} {
			if se.HasErrorCode(int(c)) {
				return c, true
			}
		}
	}
	return 0, false
}

func errorMessage(err error) string {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}

// unauthorized: the user may not read what was asked (Unauthorized 13).
func unauthorized(err error) bool {
	code, ok := errorCode(err)
	return ok && code == 13
}

// Codes with which a shard that does not hold the collection answers a
// mongos's fan-out; mongos counts them as success.
const (
	codeNamespaceNotFound                = 26
	codeCannotImplicitlyCreateCollection = 332
)

// RawFailure is the first refusal among the per-shard replies under a
// mongos reply's raw field (createIndexes, collMod), as a *ShardReplyError;
// nil when every shard answered ok, or answered that it does not hold the
// collection, or when the reply has no raw field.
func RawFailure(reply bson.Raw) error {
	raw, ok := reply.Lookup("raw").DocumentOK()
	if !ok {
		return nil
	}
	elems, _ := raw.Elements()
	for _, e := range elems {
		r, ok := e.Value().DocumentOK()
		if !ok || okField(r) {
			continue
		}
		code, _ := r.Lookup("code").AsInt64OK()
		if code == codeNamespaceNotFound || code == codeCannotImplicitlyCreateCollection {
			continue
		}
		return &ShardReplyError{Shard: e.Key(), Code: int32(code), Message: str(r, "errmsg")}
	}
	return nil
}

// ReplyError is the error of a command's reply, or, when the command
// answered ok, the first per-shard refusal under a mongos's raw
// (RawFailure).
func ReplyError(r *mongo.SingleResult) error {
	reply, err := r.Raw()
	if err != nil {
		return err
	}
	return RawFailure(reply)
}

func okField(r bson.Raw) bool {
	v, ok := r.Lookup("ok").AsFloat64OK()
	return ok && v == 1
}

// Confirms reports that a createIndexes reply proves n indexes were
// built as sent: numIndexesAfter - numIndexesBefore is n, with no note,
// at the top level or, under a mongos's raw, on every shard that gave
// counts (shards without the collection give none). Anything else (a
// shard that already had them, a retried fan-out) is no proof: the caller
// lists to see.
func Confirms(reply bson.Raw, n int) bool {
	if raw, ok := reply.Lookup("raw").DocumentOK(); ok {
		elems, _ := raw.Elements()
		seen := false
		for _, e := range elems {
			r, ok := e.Value().DocumentOK()
			if !ok {
				return false
			}
			if _, counted := r.Lookup("numIndexesAfter").AsInt64OK(); !counted {
				continue
			}
			if !counted1(r, n) {
				return false
			}
			seen = true
		}
		return seen
	}
	return counted1(reply, n)
}

func counted1(r bson.Raw, n int) bool {
	before, ok1 := r.Lookup("numIndexesBefore").AsInt64OK()
	after, ok2 := r.Lookup("numIndexesAfter").AsInt64OK()
	_, noted := r.Lookup("note").StringValueOK()
	return ok1 && ok2 && !noted && int(after-before) == n
}

// ShardReplyError is one shard's refusal inside a mongos reply whose
// top level said ok.
type ShardReplyError struct {
	Shard   string
	Code    int32
	Message string
}

// Error implements the error interface.
func (e *ShardReplyError) Error() string {
	return fmt.Sprintf("shard %s answered (%d) %s", e.Shard, e.Code, e.Message)
}

// Unwrap is the shard's reply as a command error, so that the code and
// message classify as the same reply at the top level would.
func (e *ShardReplyError) Unwrap() error {
	return mongo.CommandError{Code: e.Code, Message: e.Message}
}
