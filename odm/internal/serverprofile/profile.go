package serverprofile

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/schemakeywords"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// A Profile is everything the library knows about one kind of server: which
// options it accepts without keeping them, and how it says "I lack this
// feature", "try again" and "the data holds duplicate keys". The planner
// and the executor consult it; no server's quirk lives anywhere else.
type Profile struct {
	// Name is the server's kind, with its version when buildInfo gave one.
	Name string
	// UnkeptIndex are index options the server accepts and does not keep.
	UnkeptIndex []string
	// UnkeptCollection are collection options create accepts and does not
	// keep (top-level names, as listCollections shows them).
	UnkeptCollection []string
	// replies are the server's own ways of answering, on top of MongoDB's
	// documented codes (mongoReplies), which every profile understands.
	replies []reply
	// NonAtomicFilteredWrites: the server does not apply a filtered
	// write's filter and its write atomically (two racing replaceOne on
	// {_id, revision} can both be acknowledged), which the repositories'
	// revision guard relies on. Each profile's value is measured by
	// TestFilteredWriteRaces, never assumed from the server's name.
	NonAtomicFilteredWrites bool
	// Transactions is what the server does with a multi-document
	// transaction: measured by TestTransactionsOnTheServer, never
	// assumed from the server's name.
	Transactions Transactions
	// duplicateWrites are the messages with which the server refuses a
	// write (insert, update, replace, find-and-modify) for a duplicate key
	// under another code than MongoDB's 11000: its storage engine's words.
	duplicateWrites []string
	// rejectedWrites are the server's ways of answering a write its
	// validator refused, on top of MongoDB's DocumentValidationFailure
	// (121).
	rejectedWrites []reply
	// schemaKeywords, when set, are the only $jsonSchema keywords the
	// server's validator understands. It stores a validator with others
	// and then refuses every write to the collection, so such a validator
	// is never sent to it (see refusedSchemaKeywords).
	schemaKeywords []string
}

// A Class is what a server's reply means to the engine's executor.
type Class int

const (
	// ClassOther: a failure; the collection fails with it.
	ClassOther Class = iota
	// ClassUnsupported: the server lacks an index type, option or command.
	ClassUnsupported
	// ClassTransient: a race or a node changing state; re-plan and retry.
	ClassTransient
	// ClassDuplicates: a unique index refused over duplicated data.
	ClassDuplicates
	// ClassConflict: an index in the way (IndexOptionsConflict 85,
	// IndexKeySpecsConflict 86), made by another process after our listing.
	ClassConflict
	// ClassGone: the index or collection is not there (IndexNotFound 27 on
	// dropIndexes): another process removed it first.
	ClassGone
	// ClassInvalid: the server refuses the declaration itself (a malformed
	// index, a bad option value), not for lack of a feature: the index
	// fails, named, even under SkipUnsupported.
	ClassInvalid
)

// A reply is one way a server answers: a code and, when the code alone is
// not enough, a part of the message.
type reply struct {
	code    int32
	message string // a substring of the message; empty matches any
	// specialKeys: only for an index with a key type beyond 1 and -1.
	specialKeys bool
	class       Class
}

// mongoReplies are MongoDB's documented codes.
var mongoReplies = []reply{
	{code: 238, class: ClassUnsupported},                                                  // NotImplemented
	{code: 59, class: ClassUnsupported},                                                   // CommandNotFound
	{code: 115, class: ClassUnsupported},                                                  // CommandNotSupported
	{code: 40415, class: ClassUnsupported},                                                // UnknownBsonField: an option this version does not know
	{code: 72, message: "no expireAfterSeconds field to update", class: ClassUnsupported}, // collMod TTL on a non-TTL index (before 5.1)
	{code: 11000, class: ClassDuplicates},                                                 // DuplicateKey
	{code: 85, class: ClassConflict},                                                      // IndexOptionsConflict
	{code: 86, class: ClassConflict},                                                      // IndexKeySpecsConflict
	{code: 27, class: ClassGone},                                                          // IndexNotFound
	{code: 276, class: ClassTransient},                                                    // IndexBuildAborted
	{code: 285, class: ClassTransient},                                                    // IndexBuildAlreadyInProgress
	{code: 91, class: ClassTransient},                                                     // ShutdownInProgress
	{code: 189, class: ClassTransient},                                                    // PrimarySteppedDown
	{code: 10107, class: ClassTransient},                                                  // NotWritablePrimary
	{code: 10058, class: ClassTransient},                                                  // LegacyNotPrimary
	{code: 11600, class: ClassTransient},                                                  // InterruptedAtShutdown
	{code: 11602, class: ClassTransient},                                                  // InterruptedDueToReplStateChange
	{code: 13435, class: ClassTransient},                                                  // NotPrimaryNoSecondaryOk
	{code: 13436, class: ClassTransient},                                                  // NotPrimaryOrSecondary
	{code: 117, class: ClassTransient},                                                    // ConflictingOperationInProgress
	{code: 338, class: ClassTransient},                                                    // ReshardCollectionInProgress
	{code: 319, class: ClassTransient},                                                    // MovePrimaryInProgress

	// Refusals of the declaration itself (testdata/index-rules.md), after
	// the code-and-message rows above that read the same codes as a lack.
	{code: 67, message: "shard key pattern", class: ClassInvalid}, // a unique index the shard key does not prefix
	{code: 67, class: ClassInvalid},                               // CannotCreateIndex: a malformed index
	{code: 72, class: ClassInvalid},                               // InvalidOptions: a bad option value
	{code: 197, class: ClassInvalid},                              // InvalidIndexSpecificationOption
	{code: 2, class: ClassInvalid},                                // BadValue
	{code: 9, class: ClassInvalid},                                // FailedToParse
	{code: 16764, class: ClassInvalid},                            // hashed indexes cannot guarantee uniqueness
	{code: 16800, class: ClassInvalid},                            // two 2d keys
}

// Transactions is what a server does with a multi-document transaction.
type Transactions string

const (
	// TransactionsCommit: writes in a transaction apply at its commit,
	// or never when it aborts (MongoDB, on a replica set or a sharded
	// cluster; a standalone mongod refuses them, IllegalOperation).
	TransactionsCommit Transactions = "commit"
	// TransactionsRefused: a write carrying a transaction is refused
	// (FailedToParse), and so is commitTransaction (CommandNotFound).
	TransactionsRefused Transactions = "refused"
	// TransactionsWithoutCommit: a write in a transaction applies at
	// once, commitTransaction is refused (CommandNotFound), and an abort
	// undoes nothing.
	TransactionsWithoutCommit Transactions = "applied at once, no commit"
)

// The profiles.
var (
	// MongoDB is MongoDB, and any server not recognised.
	MongoDB = &Profile{Name: "MongoDB", Transactions: TransactionsCommit}
	// FerretV1 is FerretDB v1 (SQLite or PostgreSQL backends).
	FerretV1 = &Profile{
		Name:             "FerretDB v1",
		UnkeptIndex:      []string{"sparse"},
		UnkeptCollection: []string{"clusteredIndex", "changeStreamPreAndPostImages"},
		// Filtered writes are not atomic: measured by
		// TestFilteredWriteRaces on v1.24 with SQLite (racing guarded
		// writers lose acknowledged updates). The PostgreSQL backend was
		// not measured and shares the answer.
		NonAtomicFilteredWrites: true,
		// Measured on v1.24 with SQLite (TestTransactionsOnTheServer).
		Transactions: TransactionsRefused,
		// SQLite's words on updates, replaces and upserts (code 1,
		// InternalError: "UNIQUE constraint failed: index 'NAME'");
		// PostgreSQL's with the PostgreSQL backend.
		duplicateWrites: []string{"UNIQUE constraint failed", "duplicate key value violates unique constraint"},
		replies: []reply{
			// createIndexes with a key type it does not know.
			{code: 27, specialKeys: true, class: ClassUnsupported},
			// Another process's createIndexes of the same index won the
			// race (the SQLite backend: "SQL logic error: index ...
			// already exists").
			{code: 1, message: "already exists", class: ClassTransient},
			// A unique index over duplicated data.
			{code: 1, message: "UNIQUE constraint failed", class: ClassDuplicates},
		},
	}
	// FerretV2 is FerretDB v2 on DocumentDB (the engine behind
	// Azure Cosmos DB for MongoDB vCore), as recorded from v2.5.0.
	FerretV2 = &Profile{
		Name: "FerretDB v2",
		// create answers ok and keeps none of these. A validator, left out
		// too, is kept by collMod, which the round after the create sends
		// in the same Init (TestValidatorAfterCreate).
		UnkeptCollection: []string{"capped", "size", "max", "timeseries", "expireAfterSeconds", "clusteredIndex", "collation"},
		// Filtered writes are atomic: measured by TestFilteredWriteRaces
		// on v2.5.0 with DocumentDB v0.106 (4 writers x 200 guarded
		// cycles: 800 acknowledged, 0 lost; 200 of 200 documents claimed
		// once).
		NonAtomicFilteredWrites: false,
		// Measured on v2.5.0 (TestTransactionsOnTheServer).
		Transactions: TransactionsWithoutCommit,
		// Updates, replaces and find-and-modify (code 1, InternalError:
		// `conflicting key value violates exclusion constraint
		// "documents_rum_index_N"`, which names the PostgreSQL constraint,
		// not the index); inserts answer 11000.
		duplicateWrites: []string{"conflicting key value violates exclusion constraint"},
		// A write its validator refuses: "Document failed validation" as
		// MongoDB words it, with DocumentDB's own code for
		// DocumentFailedValidation (SQLSTATE M00CO as a number) where
		// MongoDB answers 121.
		rejectedWrites: []reply{{code: 525074461, message: "Document failed validation"}},
		// Measured on v2.5.0 with DocumentDB v0.106 (TestSchemaKeywords):
		// collMod stores any $jsonSchema, and then every insert fails
		// with FailedToParse "Unknown $jsonSchema keyword: K" for the
		// others (required, enum, additionalProperties, anyOf, allOf,
		// oneOf, not, title, description, dependencies, minProperties,
		// maxProperties, patternProperties, encrypt).
		schemaKeywords: []string{
			"bsonType", "type", "properties",
			"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
			"minLength", "maxLength", "pattern",
			"items", "additionalItems", "minItems", "maxItems", "uniqueItems",
		},
		replies: []reply{
			{code: 1, message: "not supported yet", class: ClassUnsupported}, // hidden indexes
			{code: 1, message: "not implemented yet", class: ClassUnsupported},
			{code: 1, message: "deadlock detected", class: ClassTransient},
			{code: 1, message: "could not create exclusion constraint", class: ClassDuplicates},
		},
	}
)

// FromBuildInfo recognises the server from its buildInfo answer:
// FerretDB v2 has a "ferretdb" document, v1 a "ferretdbVersion" string.
func FromBuildInfo(info bson.Raw) *Profile {
	if v2, ok := info.Lookup("ferretdb").DocumentOK(); ok {
		return FerretV2.named(stringField(v2, "version"))
	}
	if _, ok := info.Lookup("ferretdbVersion").StringValueOK(); ok {
		return FerretV1.named(stringField(info, "ferretdbVersion"))
	}
	return MongoDB.named(stringField(info, "version"))
}

func stringField(doc bson.Raw, key string) string {
	s, _ := doc.Lookup(key).StringValueOK()
	return s
}

// named is a copy of p with the version in its name, when the server
// gives one.
func (p *Profile) named(version string) *Profile {
	c := *p
	if version != "" && version != "unknown" {
		c.Name = fmt.Sprintf("%s (%s)", p.Name, version)
	}
	return &c
}

// Classify says what a server's reply means. spec is the index the
// command was about, when there was one. A dropped connection is
// transient on every server.
func (p *Profile) Classify(err error, spec *schema.IndexSpec) Class {
	if err == nil {
		return ClassOther
	}
	if networkOrLabelled(err) {
		return ClassTransient
	}
	code, ok := servererr.Code(err)
	if !ok {
		return ClassOther
	}
	msg := servererr.Message(err)
	special := spec != nil && slices.ContainsFunc(spec.Keys, func(k schema.IndexKey) bool { return k.Type.Special() })
	// The server's own replies first: they refine MongoDB's codes.
	var own []reply
	if p != nil {
		own = p.replies
	}
	for _, list := range [][]reply{own, mongoReplies} {
		for _, r := range list {
			if r.code == code && strings.Contains(msg, r.message) && (!r.specialKeys || special) {
				return r.class
			}
		}
	}
	return ClassOther
}

// networkOrLabelled: a dropped or failed connection, including the driver
// clearing its pool after another operation lost its connection, or an
// error the server labels retryable.
func networkOrLabelled(err error) bool {
	if mongo.IsNetworkError(err) {
		return true
	}
	var r interface{ Retryable() bool }
	if errors.As(err, &r) && r.Retryable() {
		return true
	}
	var le mongo.LabeledError
	return errors.As(err, &le) && le.HasErrorLabel("RetryableWriteError")
}

// All are the profiles, for the checks made before the server is
// known.
var All = []*Profile{MongoDB, FerretV1, FerretV2}

// RejectedWrite reports a write error with which a server says its
// validator refused the document in its own code (a profile's
// rejectedWrites).
func RejectedWrite(code int32, msg string) bool {
	for _, p := range All {
		for _, r := range p.rejectedWrites {
			if r.code == code && strings.Contains(msg, r.message) {
				return true
			}
		}
	}
	return false
}

// DuplicateWriteMessage is the message of a server's refusal of a write
// for a duplicate key in its storage engine's words, as any profile knows
// them; empty when err is no such refusal. A repository does not ask the
// server which it is: the words are specific enough to be read on any.
func DuplicateWriteMessage(err error) string {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return ""
	}
	for _, p := range All {
		for _, m := range p.duplicateWrites {
			if se.HasErrorMessage(m) {
				return err.Error()
			}
		}
	}
	return ""
}

// Confirmable reports that a createIndexes answer proves these indexes
// were built as sent: none uses an option some server accepts without
// keeping (only a listing tells those).
func Confirmable(specs []schema.IndexSpec) bool {
	for _, p := range All {
		for _, o := range p.UnkeptIndex {
			if slices.ContainsFunc(specs, func(s schema.IndexSpec) bool { return s.HasOption(o) }) {
				return false
			}
		}
	}
	return true
}

// RefusedSchemaKeywords are the keywords of a $jsonSchema validator that
// the server's validator does not understand, in the order they first
// appear; nil when it understands them all, or when the profile states no
// restriction (schemakeywords.Unknown).
func (p *Profile) RefusedSchemaKeywords(doc any) []string {
	if p == nil || p.schemaKeywords == nil {
		return nil
	}
	return schemakeywords.Unknown(doc, p.schemaKeywords)
}
