package odm

import (
	"github.com/tagodm/tagodm/odm/internal/diff"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The names in this file are the comparison layer (internal/diff),
// re-exported so that services import odm alone.

// Action is what a collection's declared and listed indexes call for.
type Action = diff.Action

// CollectionCollation gives the collection's default collation (the
// "collation" of its listCollections options). MongoDB builds an index
// declared without a collation with the collection's default, and lists it
// so: with this option such an index compares unchanged, and a listed
// index with any other collation is a difference. A declaration that
// states a collation ("simple" included) is compared with it as usual.
// Without this option, a declaration that states no collation means none.
func CollectionCollation(doc bson.Raw) DiffOption {
	return diff.CollectionCollation(doc)
}

// Conflict: listed under the declared name with other keys or options
// collMod cannot change, or with the same keys, collation and partial
// filter under another name (ListedName).
const Conflict = diff.Conflict

// Create: declared, not listed.
const Create = diff.Create

// Diff compares one collection's declared indexes with the documents
// listIndexes returned for it and says, for each, what it calls for:
// declared indexes in declaration order, then listed indexes nobody
// declared (Drop). It does no I/O. Listed documents are normalised the way
// MongoDB lists indexes (text indexes as _fts/_ftsx with weights in any
// order, collation defaults filled in, wildcard projections normalised,
// false flags), so an index created by any driver compares equal to its
// declaration. Values keep their BSON types: numbers compare by value
// whatever their number type, and a string never equals a number, a bool
// or a date. A collation compares only the fields the declaration sets.
// Key order is significant.
func Diff(declared []IndexSpec, listed []bson.Raw, opts ...DiffOption) ([]IndexChange, error) {
	return diff.Diff(declared, listed, opts...)
}

// DiffOption tells Diff about the collection the listing comes from.
type DiffOption = diff.DiffOption

// DiffSearch compares one collection's declared search indexes with the
// documents $listSearchIndexes returned for it and says, for each, what it
// calls for: declared indexes in declaration order, then listed indexes
// nobody declared (Drop). It does no I/O. Each declaration is compared
// with the listed latestDefinition after both are normalised: documents
// compared by keys whatever their order, numbers by value whatever their
// BSON type, server defaults filled in on both sides (dynamic false,
// lucene.standard analyzers, quantization none, empty fields absent), and
// a vector index's fields compared by type and path whatever their order.
// A changed definition is a ModifyInPlace (updateSearchIndex); another
// type under the declared name is a Conflict.
func DiffSearch(declared []SearchIndexSpec, listed []bson.Raw) ([]SearchIndexChange, error) {
	return diff.DiffSearch(declared, listed)
}

// Difference is one field in which a listed index differs from its
// declaration. A value is empty where the field is absent.
type Difference = diff.Difference

// Drop: listed, not declared. Never the _id_ index, nor an index the
// server keeps for a time series or clustered collection.
const Drop = diff.Drop

// IgnoreOptions leaves these options out of the comparison: for servers
// that accept an option and do not keep it (FerretDB and sparse).
func IgnoreOptions(names ...string) DiffOption {
	return diff.IgnoreOptions(names...)
}

// IndexChange is the action one index calls for.
type IndexChange = diff.IndexChange

// ModifyInPlace: listed under the declared name with the same keys; the
// differences are options collMod changes without a rebuild
// (expireAfterSeconds, hidden, unique).
const ModifyInPlace = diff.ModifyInPlace

// OptionChange is what one collection option calls for.
type OptionChange = diff.OptionChange

// SearchIndexChange is the action one search index calls for.
type SearchIndexChange = diff.SearchIndexChange

// Step is what applying the plan does about one change, under the plan's
// policies.
type Step = diff.Step

// StepHide: applying the plan hides the undeclared index.
const StepHide = diff.StepHide

// StepRebuildOrdered: applying the plan rebuilds the index behind a
// temporary index (create it, drop the listed index, create the declared
// one, drop the temporary one).
const StepRebuildOrdered = diff.StepRebuildOrdered

// StepSkip: the server lacks search indexes and SkipUnsupported was
// given.
const StepSkip = diff.StepSkip

// StepUpdateSearch: updateSearchIndex, in place.
const StepUpdateSearch = diff.StepUpdateSearch

// TimeSeries says the collection is a time series collection with these
// fields (metaField may be empty): the index the server creates on them is
// its own, never a Drop.
func TimeSeries(timeField string, metaField string) DiffOption {
	return diff.TimeSeries(timeField, metaField)
}

// Unchanged: listed exactly as declared.
const Unchanged = diff.Unchanged

// The steps a change calls for (see Step).
const (
	StepCollMod = diff.StepCollMod
	StepCreate  = diff.StepCreate
	StepDrop    = diff.StepDrop
	StepFail    = diff.StepFail
	StepKeep    = diff.StepKeep
	StepNone    = diff.StepNone
	StepRebuild = diff.StepRebuild
)
