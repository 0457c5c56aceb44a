package odm

import (
	"time"

	"github.com/tagodm/tagodm/odm/internal/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The names in this file are the declarations layer (internal/schema): what a model writes,
// re-exported so that services import odm alone.

// Asc is an ascending key on field.
func Asc(field string) IndexKey {
	return schema.Asc(field)
}

// CappedOptions make a capped collection of at most Size bytes and, when
// Max is set, Max documents.
type CappedOptions = schema.CappedOptions

// CollectionNamer is implemented by models that name their collection.
// Without it a model's collection is its Go type name in snake_case
// (UserSettings -> "user_settings"), never pluralised.
type CollectionNamer = schema.CollectionNamer

// CollectionOptions are options a collection is created with. A model
// declares them by implementing CollectionOptionsDeclarer; Init applies
// them when it creates the collection.
//
// A model that declares collection options or a validator declares the
// collection's whole shape: Init and Plan compare every option below with
// the existing collection, and an option it has that the model does not
// declare shows as a difference too.
type CollectionOptions = schema.CollectionOptions

// CollectionOptionsDeclarer is implemented by models that declare
// collection options. CollectionOptions is called on the zero value.
type CollectionOptionsDeclarer = schema.CollectionOptionsDeclarer

// DefaultName is MongoDB's default name for an index on keys: each key's
// field and type joined with "_", as in "user_id_1_created_at_-1".
func DefaultName(keys []IndexKey) string {
	return schema.DefaultName(keys)
}

// Desc is a descending key on field.
func Desc(field string) IndexKey {
	return schema.Desc(field)
}

// Describe reads a model: a struct value, a pointer to one (nil allowed) or
// a reflect.Type of either. Problems in the declarations come back as a
// *ValidationError listing all of them. Results are cached per type.
func Describe(model any) (*Model, error) {
	return schema.Describe(model)
}

// Flat is a legacy 2d key on field.
func Flat(field string) IndexKey {
	return schema.Flat(field)
}

// FullTextSearch is a MongoDB Search (full-text) index: "search".
const FullTextSearch = schema.FullTextSearch

// GenerateSchema returns the $jsonSchema generated for a model's struct:
// bsonType per field from its Go type, nested properties for structs,
// items for slices, null allowed for pointers, slices, maps and omitempty
// fields, and the rules its tags and Validator method declare.
//
// A struct type is expanded once per generation: where it recurs within
// itself (a recursive type, directly or through other types), the field
// is a permissive {bsonType: "object"}, or an array of such objects for a
// slice, so the schema of every type is finite.
func GenerateSchema(model any) (bson.D, error) {
	return schema.GenerateSchema(model)
}

// HashedKey is a hashed key on field.
func HashedKey(field string) IndexKey {
	return schema.HashedKey(field)
}

// In binds a model to the named collection, overriding its
// CollectionName: the same struct in several collections (one per tenant
// or per month, say). The result is a model for Init, Plan, Validate and
// the registry.
func In(collection string, model any) any {
	return schema.In(collection, model)
}

// Index returns a spec with the given keys and MongoDB's default name.
func Index(keys ...IndexKey) IndexSpec {
	return schema.Index(keys...)
}

// IndexDeclarer is implemented by models that declare indexes a struct tag
// cannot express: partial filters, collations, text options, wildcard keys,
// hidden indexes, 2d options, keys on fields held outside the struct.
// Indexes is called on the zero value of the model.
type IndexDeclarer = schema.IndexDeclarer

// IndexKey is one key of an index: a document path and its type.
type IndexKey = schema.IndexKey

// IndexSpec declares one index. It is the library's own description, which
// validates, compares and prints, and converts to the driver's
// mongo.IndexModel with IndexModel.
//
// Zero values mean "absent": a zero IndexSpec option is not sent to the
// server, exactly as MongoDB treats an option left out.
type IndexSpec = schema.IndexSpec

// KeyType is the value of one key in an index key document: a direction for
// ordinary keys, or the name of a special index type.
type KeyType = schema.KeyType

// MaxVectorDimensions is the largest numDimensions MongoDB Vector Search
// accepts.
const MaxVectorDimensions = schema.MaxVectorDimensions

// Model is what the library reads from one Go model type: its collection
// and its declared indexes, in declaration order (tags first, in field
// order, then Indexes()).
type Model = schema.Model

// ModelSource is anything that holds models, such as a *registry.Registry:
// given to Init, Plan, Validate or Declared, it stands for its models.
type ModelSource = schema.ModelSource

// NewUUID returns a random (version 4) UUID.
func NewUUID() UUID {
	return schema.NewUUID()
}

// ParseTTL reads a TTL as the tag grammar writes it: a whole number of
// seconds ("3600", "0") or a Go duration that is a whole number of seconds
// ("1h", "168h", "90s").
func ParseTTL(s string) (time.Duration, error) {
	return schema.ParseTTL(s)
}

// ParseUUID reads a UUID in its canonical text form
// ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx").
func ParseUUID(s string) (UUID, error) {
	return schema.ParseUUID(s)
}

// Problem is one fault in the declarations, located as precisely as the
// declaration allows.
type Problem = schema.Problem

// Quantization is the automatic quantization of a vector index.
type Quantization = schema.Quantization

// Rule constrains one field of a generated schema.
type Rule = schema.Rule

// SearchField is one field of a full-text index's static mappings. Several
// SearchFields with one Path at the same level index the field as several
// types (listed as an array).
type SearchField = schema.SearchField

// SearchIndexDeclarer is implemented by models that declare MongoDB Search
// indexes: full-text indexes, or vector indexes a tag cannot express.
// SearchIndexes is called on the zero value of the model.
type SearchIndexDeclarer = schema.SearchIndexDeclarer

// SearchIndexSpec declares one MongoDB Search or Vector Search index. It
// validates, compares and prints, and converts to the driver's
// mongo.SearchIndexModel with SearchIndexModel.
//
// A full-text index (Type FullTextSearch, the default) uses Dynamic,
// Fields, Analyzer and SearchAnalyzer; a vector index (Type VectorSearch)
// uses Vectors and Filters. Definition, when set, is the whole index
// definition as sent (custom analyzers, synonyms, stored source); the typed
// fields must then be empty.
type SearchIndexSpec = schema.SearchIndexSpec

// SearchIndexType is the type of a MongoDB Search index, as the
// createSearchIndexes command and $listSearchIndexes name it.
type SearchIndexType = schema.SearchIndexType

// Similarity is the function a vector index ranks neighbours by.
type Similarity = schema.Similarity

// Sphere is a 2dsphere key on field.
func Sphere(field string) IndexKey {
	return schema.Sphere(field)
}

// TTL returns d as an ExpireAfter value.
func TTL(d time.Duration) *time.Duration {
	return schema.TTL(d)
}

// TagKey is the struct tag key the library reads: `odm:"..."`.
const TagKey = schema.TagKey

// TextKey is a text key on field.
func TextKey(field string) IndexKey {
	return schema.TextKey(field)
}

// TimeSeriesOptions make a time series collection.
type TimeSeriesOptions = schema.TimeSeriesOptions

// UUID is a UUID stored as BSON binary subtype 4, the standard
// representation, which is how Python's bson package (and so Beanie) writes
// a uuid.UUID. It is the type of a Beanie-style revision field:
//
//	RevisionID odm.UUID `bson:"revision_id" odm:"revision"`
//
// The zero UUID stands for "none": it is stored as null, and null or an
// absent field reads back as the zero UUID.
type UUID = schema.UUID

// ValidationError lists every problem found in the declarations. When Init
// returns one, it has sent nothing to the server.
type ValidationError = schema.ValidationError

// Validator is a collection's document validator. A model opts in by
// implementing ValidatorDeclarer.
type Validator = schema.Validator

// ValidatorDeclarer is implemented by models that want a validator on
// their collection. Validator is called on the zero value of the model.
type ValidatorDeclarer = schema.ValidatorDeclarer

// VectorField is one vector field of a vector index.
type VectorField = schema.VectorField

// VectorSearch is a MongoDB Vector Search index: "vectorSearch".
const VectorSearch = schema.VectorSearch

// Wildcard is an ascending wildcard key: on every field when path is empty
// ("$**"), or on every field below path ("path.$**").
func Wildcard(path string) IndexKey {
	return schema.Wildcard(path)
}

// ShardKey is a model's shard key: the fields, in order, that place each
// document of its collection on a shard of a sharded cluster. A field is
// ranged (Asc) or hashed (HashedKey); at most one is hashed.
type ShardKey = schema.ShardKey

// ShardKeyDeclarer is implemented by models that declare a shard key.
// ShardKey is called on the zero value of the model.
type ShardKeyDeclarer = schema.ShardKeyDeclarer

// Shard declares a shard key on keys, in order.
func Shard(keys ...IndexKey) ShardKey { return schema.Shard(keys...) }

// The validation actions.
const (
	ActionError = schema.ActionError
	ActionWarn  = schema.ActionWarn
)

// The index key types.
const (
	Ascending   = schema.Ascending
	Descending  = schema.Descending
	Geo2D       = schema.Geo2D
	Geo2DSphere = schema.Geo2DSphere
	Hashed      = schema.Hashed
	Text        = schema.Text
)

// The vector similarity functions.
const (
	Cosine     = schema.Cosine
	DotProduct = schema.DotProduct
	Euclidean  = schema.Euclidean
)

// The names a search or vector search index gets when its declaration gives none.
const (
	DefaultSearchIndexName = schema.DefaultSearchIndexName
	DefaultVectorIndexName = schema.DefaultVectorIndexName
)

// The validation levels.
const (
	LevelModerate = schema.LevelModerate
	LevelOff      = schema.LevelOff
	LevelStrict   = schema.LevelStrict
)

// The vector quantizations.
const (
	QuantizationBinary = schema.QuantizationBinary
	QuantizationNone   = schema.QuantizationNone
	QuantizationScalar = schema.QuantizationScalar
)
