package odm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/memo"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

// ShardDoc is the struct the shard key declarations below key on.
type ShardDoc struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	A     string        `bson:"a"`
	B     string        `bson:"b"`
	C     int           `bson:"c"`
	Tags  []string      `bson:"tags"`
	Items []struct {
		SKU string `bson:"sku"`
	} `bson:"items"`
	Meta struct {
		Site string `bson:"site"`
	} `bson:"meta"`
	At time.Time `bson:"at"`
}

type shardTwoTags struct {
	A string `bson:"a" odm:"shard"`
	B string `bson:"b" odm:"shard:hashed"`
}
type shardTagAndMethod struct {
	ShardDoc `bson:",inline"`
	T        string `bson:"t" odm:"shard"`
}

func (shardTagAndMethod) ShardKey() schema.ShardKey { return schema.Shard(schema.Asc("a")) }

type shardTagEquals struct {
	T string `bson:"t" odm:"shard=hashed"`
}
type shardTagUnknown struct {
	T string `bson:"t" odm:"shard:range"`
}
type shardTagTwice struct {
	T string `bson:"t" odm:"shard;shard:hashed"`
}
type shardTagOnSlice struct {
	Tags []string `bson:"tags" odm:"shard:hashed"`
}
type shardTagUnderSlice struct {
	Lines []struct {
		SKU string `bson:"sku" odm:"shard"`
	} `bson:"lines"`
}
type shardMissingField struct {
	ShardDoc `bson:",inline"`
}
type shardUnderSlice struct {
	ShardDoc `bson:",inline"`
}
type shardDescending struct {
	ShardDoc `bson:",inline"`
}
type shardTextKey struct {
	ShardDoc `bson:",inline"`
}
type shardTwoHashed struct {
	ShardDoc `bson:",inline"`
}
type shardHashedUnique struct {
	ShardDoc `bson:",inline"`
}
type shardChunksRanged struct {
	ShardDoc `bson:",inline"`
}
type shardChunksNegative struct {
	ShardDoc `bson:",inline"`
}
type shardNoFields struct {
	ShardDoc `bson:",inline"`
}
type shardFieldTwice struct {
	ShardDoc `bson:",inline"`
}
type shardPanics struct {
	ShardDoc `bson:",inline"`
}

func (shardMissingField) ShardKey() schema.ShardKey { return schema.Shard(schema.Asc("tenant")) }
func (shardUnderSlice) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Asc("a"), schema.Asc("items.sku"))
}
func (shardDescending) ShardKey() schema.ShardKey { return schema.Shard(schema.Desc("a")) }
func (shardTextKey) ShardKey() schema.ShardKey    { return schema.Shard(schema.Text("a")) }
func (shardTwoHashed) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Hashed("a"), schema.Hashed("b"))
}
func (shardHashedUnique) ShardKey() schema.ShardKey {
	return schema.ShardKey{Keys: []schema.IndexKey{schema.Hashed("a")}, Unique: true}
}
func (shardChunksRanged) ShardKey() schema.ShardKey {
	return schema.ShardKey{Keys: []schema.IndexKey{schema.Asc("a")}, InitialChunks: 4}
}
func (shardChunksNegative) ShardKey() schema.ShardKey {
	return schema.ShardKey{Keys: []schema.IndexKey{schema.Hashed("a")}, InitialChunks: -1}
}
func (shardNoFields) ShardKey() schema.ShardKey { return schema.Shard() }
func (shardFieldTwice) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Asc("a"), schema.Asc("a"))
}
func (shardPanics) ShardKey() schema.ShardKey { panic("no key today") }

type shardOnRevision struct {
	Rev int64 `bson:"rev" odm:"revision;shard"`
}

type shardCapped struct {
	T string `bson:"t" odm:"shard"`
}

func (shardCapped) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{Capped: &schema.CappedOptions{Size: 1 << 20}}
}

type ShardSeries struct {
	ShardDoc `bson:",inline"`
}

func (ShardSeries) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "at", MetaField: "meta"}}
}

type shardSeriesOther struct {
	ShardSeries `bson:",inline"`
}
type shardSeriesTimeFirst struct {
	ShardSeries `bson:",inline"`
}
type shardSeriesNoMeta struct {
	At   time.Time `bson:"at"`
	Site string    `bson:"site" odm:"shard"`
}

func (shardSeriesOther) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Asc("meta.site"), schema.Asc("a"))
}
func (shardSeriesTimeFirst) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Asc("at"), schema.Asc("meta.site"))
}
func (shardSeriesNoMeta) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "at"}}
}

type shardUniqueOff struct {
	A     string `bson:"a" odm:"shard"`
	Email string `bson:"email" odm:"uniqueIndex"`
}
type shardUniqueOffHashedPrefix struct {
	ShardDoc `bson:",inline"`
}

func (shardUniqueOffHashedPrefix) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Hashed("a"), schema.Asc("b"))
}
func (shardUniqueOffHashedPrefix) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("b")}, Unique: true}}
}

type shardSparseSupport struct {
	T string `bson:"t" odm:"shard;index,sparse"`
}
type shardHiddenSupport struct {
	ShardDoc `bson:",inline"`
}

func (shardHiddenSupport) ShardKey() schema.ShardKey { return schema.Shard(schema.Asc("a")) }
func (shardHiddenSupport) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Hidden: true}}
}

type shardUniqueKeyPlainIndex struct {
	ShardDoc `bson:",inline"`
}

func (shardUniqueKeyPlainIndex) ShardKey() schema.ShardKey {
	return schema.ShardKey{Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true}
}
func (shardUniqueKeyPlainIndex) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("a"))}
}

type shardNamedLikeSupport struct {
	ShardDoc `bson:",inline"`
}

func (shardNamedLikeSupport) ShardKey() schema.ShardKey { return schema.Shard(schema.Hashed("a")) }
func (shardNamedLikeSupport) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("b")).Named("a_hashed")}
}

type shardCollatedPlain struct {
	A string `bson:"a" odm:"shard;index"`
}

func (shardCollatedPlain) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{Collation: &options.Collation{Locale: "fr"}}
}

// Models sharing a collection.
type sharedKeyA struct {
	T     string `bson:"t" odm:"shard:hashed"`
	Email string `bson:"email"`
}
type sharedUniqueB struct {
	T     string `bson:"t" odm:"shard:hashed"`
	Email string `bson:"email" odm:"uniqueIndex"`
}
type sharedOtherKey struct {
	T     string `bson:"t"`
	Email string `bson:"email" odm:"shard"`
}
type sharedNoKey struct {
	T string `bson:"t"`
}

func (sharedKeyA) CollectionName() string     { return "shared_sharded" }
func (sharedUniqueB) CollectionName() string  { return "shared_sharded" }
func (sharedOtherKey) CollectionName() string { return "shared_sharded" }
func (sharedNoKey) CollectionName() string    { return "shared_sharded" }

// TestShardKeyValidation: every shard key declaration MongoDB would refuse,
// or that could not stand beside the model's other declarations, is
// refused by Init, Validate and Declared alike, with a problem naming the
// Go type, the field (or method), the tag text and the rule, and nothing
// reaches the server.
func TestShardKeyValidation(t *testing.T) {
	tests := []struct {
		name   string
		models []any
		goType string // without the package
		field  string
		tag    string
		msg    string
	}{
		{"tag on two fields", []any{shardTwoTags{}}, "shardTwoTags", "B", "shard:hashed", "a shard key of several fields is declared with a ShardKey() method (odm.Shard with the fields in order), not with tags; A is tagged shard already"},
		{"tag and method", []any{shardTagAndMethod{}}, "shardTagAndMethod", "T", "shard", "the model declares its shard key with ShardKey() already; drop this tag or the method"},
		{"tag spelled shard=hashed", []any{shardTagEquals{}}, "shardTagEquals", "T", "shard=hashed", `"shard=hashed": shard takes no value (a ranged key) or hashed, as in shard:hashed`},
		{"tag with an unknown key type", []any{shardTagUnknown{}}, "shardTagUnknown", "T", "shard:range", `"shard:range": shard takes no value (a ranged key) or hashed`},
		{"shard twice in one tag", []any{shardTagTwice{}}, "shardTagTwice", "T", "shard;shard:hashed", `"shard:hashed": shard is given twice in one tag`},
		{"tag on a slice", []any{shardTagOnSlice{}}, "shardTagOnSlice", "Tags", "shard:hashed", "shard key field tags: tags holds an array ([]string), and a shard key field can be neither an array nor under one"},
		{"tag under a slice", []any{shardTagUnderSlice{}}, "shardTagUnderSlice", "Lines.SKU", "shard", "shard key field lines.sku: lines holds an array"},
		{"key field missing", []any{shardMissingField{}}, "shardMissingField", "ShardKey()", "", "shard key field tenant names no field of the struct"},
		{"key field under a slice", []any{shardUnderSlice{}}, "shardUnderSlice", "ShardKey()", "", "shard key field items.sku: items holds an array"},
		{"descending key field", []any{shardDescending{}}, "shardDescending", "ShardKey()", "", "shard key field a is -1: a shard key field is ascending (schema.Asc) or hashed (schema.Hashed)"},
		{"text key field", []any{shardTextKey{}}, "shardTextKey", "ShardKey()", "", "shard key field a is text"},
		{"two hashed fields", []any{shardTwoHashed{}}, "shardTwoHashed", "ShardKey()", "", "a shard key can have one hashed field; 2 given"},
		{"hashed and unique", []any{shardHashedUnique{}}, "shardHashedUnique", "ShardKey()", "", "a hashed shard key cannot be unique (MongoDB: InvalidOptions 72)"},
		{"initial chunks on a ranged key", []any{shardChunksRanged{}}, "shardChunksRanged", "ShardKey()", "", "InitialChunks (4) applies to a hashed shard key only"},
		{"negative initial chunks", []any{shardChunksNegative{}}, "shardChunksNegative", "ShardKey()", "", "InitialChunks (-1) applies to a hashed shard key only, and is not negative"},
		{"no fields", []any{shardNoFields{}}, "shardNoFields", "ShardKey()", "", "a shard key needs at least one field"},
		{"a field twice", []any{shardFieldTwice{}}, "shardFieldTwice", "ShardKey()", "", "shard key field a appears twice"},
		{"ShardKey panics", []any{shardPanics{}}, "shardPanics", "ShardKey()", "", "panicked: no key today"},
		{"the revision field in the key", []any{shardOnRevision{}}, "shardOnRevision", "Rev", "revision;shard", "the revision field rev cannot be in the shard key: every write changes it"},
		{"capped collection", []any{shardCapped{}}, "shardCapped", "T", "shard", "a capped collection cannot be sharded"},
		{"time series: a field neither meta nor time", []any{shardSeriesOther{}}, "shardSeriesOther", "ShardKey()", "", "shard key field a: a time series collection's shard key holds only the meta field (meta), its subfields and, last, the time field (MongoDB: 5914001)"},
		{"time series: time field not last", []any{shardSeriesTimeFirst{}}, "shardSeriesTimeFirst", "ShardKey()", "", "the time field at can only be the last field of a time series collection's shard key (MongoDB: 5914000)"},
		{"time series without a meta field", []any{shardSeriesNoMeta{}}, "shardSeriesNoMeta", "Site", "shard", "shard key field site: a time series collection's shard key holds only the meta field (none declared)"},
		{"unique index not prefixed by the key", []any{shardUniqueOff{}}, "shardUniqueOff", "Email", "uniqueIndex", `unique index {"email":1} does not start with the shard key {"a":1} (declared at odm_test.shardUniqueOff.A (tag shard))`},
		{"unique index not prefixed by a hashed compound key", []any{shardUniqueOffHashedPrefix{}}, "shardUniqueOffHashedPrefix", "Indexes()[0]", "", `unique index {"b":1} does not start with the shard key {"a":"hashed","b":1}`},
		{"sparse index where the support goes", []any{shardSparseSupport{}}, "shardSparseSupport", "T", "shard;index,sparse", `no declared index can support the shard key {"t":1} (declared at odm_test.shardSparseSupport.T (tag shard;index,sparse)), and Init cannot declare t_1 {t: 1}`},
		{"hidden index where the support goes", []any{shardHiddenSupport{}}, "shardHiddenSupport", "Indexes()[0]", "", "no declared index can support the shard key"},
		{"unique key, plain index on it", []any{shardUniqueKeyPlainIndex{}}, "shardUniqueKeyPlainIndex", "Indexes()[0]", "", "unique for a unique key"},
		{"collated collection, index on the key without a collation", []any{shardCollatedPlain{}}, "shardCollatedPlain", "A", "shard;index", "no declared index can support the shard key"},
		{"another index under the support's name", []any{shardNamedLikeSupport{}}, "shardNamedLikeSupport", "Indexes()[0]", "", "which has that name or those keys"},
		{"a model sharing the collection, with a unique index off the key", []any{sharedKeyA{}, sharedUniqueB{}}, "sharedUniqueB", "Email", "uniqueIndex", `unique index {"email":1} does not start with the shard key {"t":"hashed"}`},
		{"shared collection: two keys", []any{sharedKeyA{}, sharedOtherKey{}}, "sharedOtherKey", "Email", "shard", `models that share a collection declare the same shard key: this one declares {"email":1} (unique false, initial chunks 0), and odm_test.sharedKeyA declares {"t":"hashed"}`},
		{"shared collection: a model without the key", []any{sharedKeyA{}, sharedNoKey{}}, "sharedNoKey", "ShardKey()", "", "this one declares none, and odm_test.sharedKeyA declares"},
		{"shared collection: the key declared second", []any{sharedNoKey{}, sharedKeyA{}}, "sharedKeyA", "T", "shard:hashed", "and odm_test.sharedNoKey declares none"},
	}
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			report, err := odm.Init(context.Background(), db, append(tt.models, odm.SkipUnsupported())...)
			assert.Nil(t, report)
			var verr *schema.ValidationError
			require.ErrorAs(t, err, &verr)
			found := false
			for _, p := range verr.Problems {
				found = found || p.GoType == "odm_test."+tt.goType && p.Field == tt.field && p.Tag == tt.tag && strings.Contains(p.Message, tt.msg)
			}
			assert.True(t, found, "no problem at odm_test.%s.%s, tag %q, says %q in:\n%v", tt.goType, tt.field, tt.tag, tt.msg, err)
			assert.Empty(t, rec.Commands(), "nothing may reach the server when validation fails")
			assert.ErrorAs(t, odm.Validate(tt.models...), &verr, "Validate agrees")
			_, err = odm.Declared(tt.models...)
			assert.ErrorAs(t, err, &verr, "Declared agrees")
		})
	}
}

// uniqueCase is one of the server's examples of a unique index beside a
// shard key (ShardKeyPattern::isUniqueIndexCompatible).
type uniqueCase interface {
	key() schema.ShardKey
	unique() []schema.IndexKey
}

// uniqueBeside declares the key and the unique index of C.
type uniqueBeside[C uniqueCase] struct {
	ShardDoc `bson:",inline"`
}

func (uniqueBeside[C]) CollectionName() string    { return "unique_beside" }
func (uniqueBeside[C]) ShardKey() schema.ShardKey { var c C; return c.key() }
func (uniqueBeside[C]) Indexes() []schema.IndexSpec {
	var c C
	return []schema.IndexSpec{{Keys: c.unique(), Unique: true}}
}

type (
	keyAUniqueAB        struct{}
	keyAUniqueDescAB    struct{}
	keyHashedAUniqueA   struct{}
	keyAUniqueB         struct{}
	keyHashedABUniqueB  struct{}
	keyAUniqueIDB       struct{}
	keyIDUniqueIDA      struct{}
	keyHashedIDUniqueA  struct{}
	keyAUniqueA         struct{}
	keyABUniqueA        struct{}
	keyHashedIDUniqueID struct{}
)

func (keyAUniqueAB) key() schema.ShardKey { return schema.Shard(schema.Asc("a")) }
func (keyAUniqueAB) unique() []schema.IndexKey {
	return []schema.IndexKey{schema.Asc("a"), schema.Asc("b")}
}
func (keyAUniqueDescAB) key() schema.ShardKey { return schema.Shard(schema.Asc("a")) }
func (keyAUniqueDescAB) unique() []schema.IndexKey {
	return []schema.IndexKey{schema.Desc("a"), schema.Asc("b")}
}
func (keyHashedAUniqueA) key() schema.ShardKey      { return schema.Shard(schema.Hashed("a")) }
func (keyHashedAUniqueA) unique() []schema.IndexKey { return []schema.IndexKey{schema.Asc("a")} }
func (keyAUniqueB) key() schema.ShardKey            { return schema.Shard(schema.Asc("a")) }
func (keyAUniqueB) unique() []schema.IndexKey       { return []schema.IndexKey{schema.Asc("b")} }
func (keyHashedABUniqueB) key() schema.ShardKey {
	return schema.Shard(schema.Hashed("a"), schema.Asc("b"))
}
func (keyHashedABUniqueB) unique() []schema.IndexKey { return []schema.IndexKey{schema.Asc("b")} }
func (keyAUniqueIDB) key() schema.ShardKey           { return schema.Shard(schema.Asc("a")) }
func (keyAUniqueIDB) unique() []schema.IndexKey {
	return []schema.IndexKey{schema.Asc("_id"), schema.Asc("b")}
}
func (keyIDUniqueIDA) key() schema.ShardKey { return schema.Shard(schema.Asc("_id")) }
func (keyIDUniqueIDA) unique() []schema.IndexKey {
	return []schema.IndexKey{schema.Asc("_id"), schema.Asc("a")}
}
func (keyHashedIDUniqueA) key() schema.ShardKey      { return schema.Shard(schema.Hashed("_id")) }
func (keyHashedIDUniqueA) unique() []schema.IndexKey { return []schema.IndexKey{schema.Asc("a")} }
func (keyAUniqueA) key() schema.ShardKey             { return schema.Shard(schema.Asc("a")) }
func (keyAUniqueA) unique() []schema.IndexKey        { return []schema.IndexKey{schema.Asc("a")} }
func (keyABUniqueA) key() schema.ShardKey            { return schema.Shard(schema.Asc("a"), schema.Asc("b")) }
func (keyABUniqueA) unique() []schema.IndexKey       { return []schema.IndexKey{schema.Asc("a")} }
func (keyHashedIDUniqueID) key() schema.ShardKey     { return schema.Shard(schema.Hashed("_id")) }
func (keyHashedIDUniqueID) unique() []schema.IndexKey {
	return []schema.IndexKey{schema.Asc("_id"), schema.Asc("b")}
}

// TestUniqueIndexBesideShardKey: a unique index is accepted beside a shard
// key exactly when the server accepts it: it starts with _id, or the key's
// field names are a prefix of its field names (directions and hashed
// aside). The first six rows are the server's own examples. An accepted
// index that also supports the key (the key first, in the key's
// directions) is the only one; otherwise Init declares the key's own.
func TestUniqueIndexBesideShardKey(t *testing.T) {
	tests := []struct {
		name    string
		model   any
		refused string   // the unique index refused; "" when accepted
		indexes []string // the collection's declared indexes when accepted
	}{
		{"key {a:1}, unique {a:1,b:1}", uniqueBeside[keyAUniqueAB]{}, "", []string{"a_1_b_1"}},
		{"key {a:1}, unique {a:-1,b:1}", uniqueBeside[keyAUniqueDescAB]{}, "", []string{"a_-1_b_1", "a_1"}},
		{"key {a:hashed}, unique {a:1}", uniqueBeside[keyHashedAUniqueA]{}, "", []string{"a_1", "a_hashed"}},
		{"key {a:1}, unique {b:1}", uniqueBeside[keyAUniqueB]{}, "b_1", nil},
		{"key {a:hashed,b:1}, unique {b:1}", uniqueBeside[keyHashedABUniqueB]{}, "b_1", nil},
		{"key {a:1}, unique {_id:1,b:1}", uniqueBeside[keyAUniqueIDB]{}, "", []string{"_id_1_b_1", "a_1"}},
		{"key {_id:1}, unique {_id:1,a:1}", uniqueBeside[keyIDUniqueIDA]{}, "", []string{"_id_1_a_1"}},
		{"key {_id:hashed}, unique {a:1}", uniqueBeside[keyHashedIDUniqueA]{}, "a_1", nil},
		{"key {_id:hashed}, unique {_id:1,b:1}", uniqueBeside[keyHashedIDUniqueID]{}, "", []string{"_id_1_b_1", "_id_hashed"}},
		{"key {a:1}, unique {a:1}", uniqueBeside[keyAUniqueA]{}, "", []string{"a_1"}},
		{"key {a:1,b:1}, unique {a:1}", uniqueBeside[keyABUniqueA]{}, "a_1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decl, err := odm.Declared(tt.model)
			if tt.refused == "" {
				require.NoError(t, err)
				var names []string
				for _, s := range decl["unique_beside"] {
					names = append(names, s.IndexName())
				}
				assert.ElementsMatch(t, tt.indexes, names)
				return
			}
			var verr *schema.ValidationError
			require.ErrorAs(t, err, &verr)
			require.Len(t, verr.Problems, 1, "%v", err)
			p := verr.Problems[0]
			assert.Equal(t, "Indexes()[0]", p.Field)
			assert.Equal(t, tt.refused, p.Index)
			assert.Contains(t, p.Message, "does not start with the shard key")
		})
	}
}

type supportHashedTag struct {
	ID bson.ObjectID `bson:"_id,omitempty"`
	T  string        `bson:"t" odm:"shard:hashed"`
}
type supportRangedTag struct {
	ID bson.ObjectID `bson:"_id,omitempty"`
	T  string        `bson:"t" odm:"shard"`
	N  int           `bson:"n"`
}
type supportCompound struct {
	ShardDoc `bson:",inline"`
}

func (supportCompound) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Asc("a"), schema.Hashed("b"))
}
func (supportCompound) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("a"), schema.Hashed("b"), schema.Desc("c")).Named("by_a_b_c")}
}

type supportUniqueKey struct {
	ShardDoc `bson:",inline"`
}

func (supportUniqueKey) ShardKey() schema.ShardKey {
	return schema.ShardKey{Keys: []schema.IndexKey{schema.Asc("a"), schema.Asc("b")}, Unique: true}
}

type supportOnID struct {
	ShardDoc `bson:",inline"`
}

func (supportOnID) ShardKey() schema.ShardKey { return schema.Shard(schema.Asc("_id")) }

type SupportCollated struct {
	A string `bson:"a" odm:"shard"`
}

func (SupportCollated) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{Collation: &options.Collation{Locale: "fr", Strength: 2}}
}

type supportCollatedSimple struct {
	SupportCollated `bson:",inline"`
}

func (supportCollatedSimple) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a"), schema.Asc("b")}, Collation: &options.Collation{Locale: "simple"}, OutsideStruct: true}}
}

type supportSeries struct {
	ShardSeries `bson:",inline"`
}

func (supportSeries) ShardKey() schema.ShardKey {
	return schema.Shard(schema.Asc("meta.site"), schema.Asc("at"))
}

type supportPartial struct {
	ShardDoc `bson:",inline"`
}

func (supportPartial) ShardKey() schema.ShardKey { return schema.Shard(schema.Asc("a")) }
func (supportPartial) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a"), schema.Asc("b")}, PartialFilter: bson.D{{Key: "c", Value: bson.D{{Key: "$gt", Value: 0}}}}}}
}

// TestShardKeySupportingIndex: when no declared index can support the
// shard key, the declarations gain the index shardCollection would build,
// with its default name and spec; when one can, or the _id index does, or
// the collection is a time series one, nothing is added.
func TestShardKeySupportingIndex(t *testing.T) {
	tests := []struct {
		name  string
		model any
		want  []string // every declared index, in order, as IndexSpec.String prints it
	}{
		{"hashed tag", supportHashedTag{}, []string{`t_hashed {t: "hashed"}`}},
		{"ranged tag", supportRangedTag{}, []string{`t_1 {t: 1}`}},
		{"a compound index starting with the key", supportCompound{}, []string{`by_a_b_c {a: 1, b: "hashed", c: -1}`}},
		{"unique key", supportUniqueKey{}, []string{`a_1_b_1 {a: 1, b: 1} unique`}},
		{"key on _id", supportOnID{}, nil},
		{"collection with a default collation", SupportCollated{}, []string{`a_1 {a: 1} collation={"locale":"simple"}`}},
		{"an index with the simple collation on a collated collection", supportCollatedSimple{}, []string{`a_1_b_1 {a: 1, b: 1} collation={"locale":"simple"}`}},
		{"time series", supportSeries{}, nil},
		{"a partial index does not support", supportPartial{}, []string{`a_1_b_1 {a: 1, b: 1} partialFilterExpression={"c":{"$gt":0}}`, `a_1 {a: 1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decl, err := odm.Declared(tt.model)
			require.NoError(t, err)
			var got []string
			for _, specs := range decl {
				for _, s := range specs {
					got = append(got, s.String())
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestShardKeySupportingIndexShowsNoDiff: the supporting index Init
// declares is created like any other, and the next plan finds nothing to
// do for the indexes. The shard key's own row is the engine's: on a server
// that cannot shard (FerretDB) it stays "unsupported", which
// SkipUnsupported lets Init report and go on from.
func TestShardKeySupportingIndexShowsNoDiff(t *testing.T) {
	ctx := context.Background()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	noIndexPending := func(t *testing.T, plan *outcome.IndexPlan) {
		t.Helper()
		require.Len(t, plan.Collections, 1)
		for _, ch := range plan.Collections[0].Changes {
			assert.Equal(t, diff.Unchanged, ch.Action, "%s", plan)
		}
		if sp := plan.Collections[0].Shard; sp != nil && testrig.FerretDBVersion() > 0 {
			assert.Equal(t, "unsupported", string(sp.Action), "%s", plan)
		} else {
			assert.Zero(t, plan.Pending(), "%s", plan)
		}
	}
	t.Run("ranged", func(t *testing.T) {
		_, err := odm.Init(ctx, db, supportRangedTag{}, odm.SkipUnsupported())
		var ve *schema.ValidationError
		if testrig.FerretDBVersion() == 2 && errors.As(err, &ve) {
			require.Contains(t, err.Error(), "hashed key only")
			t.Skipf("FerretDB v2 runs on DocumentDB, which shards on hashed keys only: Init refuses the ranged key before any index or shard command (%v)", err)
		}
		require.NoError(t, err)
		assert.Equal(t, []string{"t:1"}, rec.SentIndexes(t)["support_ranged_tag"]["t_1"].Keys)
		plan, err := odm.Plan(ctx, db, supportRangedTag{}, odm.SkipUnsupported())
		require.NoError(t, err)
		noIndexPending(t, plan)
		assert.Contains(t, testrig.ListIndexes(t, db.Name(), "support_ranged_tag"), "t_1")
	})
	t.Run("hashed", func(t *testing.T) {
		rec.Reset()
		report, err := odm.Init(ctx, db, supportHashedTag{}, odm.SkipUnsupported())
		require.NoError(t, err)
		assert.Equal(t, []string{"t:hashed"}, rec.SentIndexes(t)["support_hashed_tag"]["t_hashed"].Keys)
		if cr, _ := report.Collection("support_hashed_tag"); slices.Contains(cr.Names(outcome.Skipped), "t_hashed") {
			t.Skipf("the server has no hashed indexes (createIndexes t_hashed was sent and refused): %v", cr.Indexes)
		}
		plan, err := odm.Plan(ctx, db, supportHashedTag{}, odm.SkipUnsupported())
		require.NoError(t, err)
		noIndexPending(t, plan)
	})
}

type docdbRanged struct {
	T string `bson:"t" odm:"shard"`
}
type docdbUnique struct {
	ShardDoc `bson:",inline"`
}
type docdbChunks struct {
	ShardDoc `bson:",inline"`
}
type docdbUniqueOnID struct {
	ShardDoc `bson:",inline"`
}
type docdbHashed struct {
	ShardDoc `bson:",inline"`
}

func (docdbUnique) ShardKey() schema.ShardKey {
	return schema.ShardKey{Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true}
}
func (docdbChunks) ShardKey() schema.ShardKey {
	return schema.ShardKey{Keys: []schema.IndexKey{schema.Hashed("a")}, InitialChunks: 8}
}
func (docdbUniqueOnID) ShardKey() schema.ShardKey { return schema.Shard(schema.Hashed("a")) }
func (docdbUniqueOnID) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("_id"), schema.Asc("b")}, Unique: true}}
}
func (docdbHashed) ShardKey() schema.ShardKey { return schema.Shard(schema.Hashed("a")) }
func (docdbHashed) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a"), schema.Asc("b")}, Unique: true}}
}

// TestDocumentDBShardKeyProblems: what DocumentDB refuses beyond
// MongoDB's rules, each at the declaration: a ranged key, a unique key,
// initial chunks, and a unique index the key does not start (which
// MongoDB accepts when it starts with _id). A hashed key with unique
// indexes that start with it has none; so has a model without a key.
func TestDocumentDBShardKeyProblems(t *testing.T) {
	tests := []struct {
		name  string
		model any
		want  []schema.Problem
	}{
		{"ranged key", docdbRanged{}, []schema.Problem{{GoType: "odm_test.docdbRanged", Collection: "docdb_ranged", Field: "T", Tag: "shard",
			Message: "DocumentDB shards on a hashed key only: declare the key with Hashed"}}},
		{"unique key", docdbUnique{}, []schema.Problem{
			{GoType: "odm_test.docdbUnique", Collection: "docdb_unique", Field: "ShardKey()", Message: "DocumentDB shards on a hashed key only: declare the key with Hashed"},
			{GoType: "odm_test.docdbUnique", Collection: "docdb_unique", Field: "ShardKey()", Message: "DocumentDB has no unique shard keys"}}},
		{"initial chunks", docdbChunks{}, []schema.Problem{{GoType: "odm_test.docdbChunks", Collection: "docdb_chunks", Field: "ShardKey()",
			Message: "DocumentDB takes no initial chunk count"}}},
		{"unique index on _id first", docdbUniqueOnID{}, []schema.Problem{{GoType: "odm_test.docdbUniqueOnID", Collection: "docdb_unique_on_id", Field: "Indexes()[0]",
			Message: `unique index _id_1_b_1 does not start with the shard key {"a":"hashed"}: DocumentDB would accept it and enforce it only among documents with the same key value`}}},
		{"hashed key, unique index starting with it", docdbHashed{}, nil},
		{"no key", ShardDoc{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, err := memo.Collect([]any{tt.model})
			require.NoError(t, err)
			require.Len(t, cols, 1)
			assert.Equal(t, tt.want, schema.DocumentDBShardKeyProblems(cols[0]))
		})
	}
}

type supportRedundant struct {
	ShardDoc `bson:",inline"`
}

func (supportRedundant) ShardKey() schema.ShardKey { return schema.Shard(schema.Asc("a")) }
func (supportRedundant) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("a")), schema.Index(schema.Asc("a"), schema.Asc("b")), schema.Index(schema.Asc("b")), schema.Index(schema.Asc("b"), schema.Asc("c"))}
}

// TestIndexesSupportingTheKeyAreNeverRedundant: the declarations mark the
// indexes that support the shard key, declared or added, and none of them
// is called redundant, though another index serves its queries; an index
// that does not support the key still is.
func TestIndexesSupportingTheKeyAreNeverRedundant(t *testing.T) {
	tests := []struct {
		model      any
		collection string
		supporting []string
		redundant  []string
	}{
		{supportRedundant{}, "support_redundant", []string{"a_1", "a_1_b_1"}, []string{"b_1"}},
		{uniqueBeside[keyAUniqueDescAB]{}, "unique_beside", []string{"a_1"}, nil},
		{plainOrder{}, "plain_order", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.collection, func(t *testing.T) {
			decl, err := odm.Declared(tt.model)
			require.NoError(t, err)
			var supporting []string
			for _, s := range decl[tt.collection] {
				if s.SupportsShardKey() {
					supporting = append(supporting, s.IndexName())
				}
			}
			assert.Equal(t, tt.supporting, supporting)
			found, err := odm.RedundantIndexes(tt.model)
			require.NoError(t, err)
			var redundant []string
			for _, r := range found {
				redundant = append(redundant, r.Index)
			}
			assert.Equal(t, tt.redundant, redundant)
		})
	}
}
