package odm_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

type badOption struct {
	A string `bson:"a" odm:"index,uniq"`
}
type badTTLWord struct {
	A time.Time `bson:"a" odm:"index,ttl:soon"`
}
type badTTLNegative struct {
	A time.Time `bson:"a" odm:"index,ttl:-5"`
}
type badTTLFraction struct {
	A time.Time `bson:"a" odm:"index,ttl:1500ms"`
}
type badTTLCompound struct {
	A time.Time `bson:"a" odm:"index:c,ttl:60"`
	B string    `bson:"b" odm:"index:c"`
}
type badTTLOnID struct {
	ID bson.ObjectID `bson:"_id" odm:"index,ttl:60"`
}
type badTwoText struct {
	Title string `bson:"title"`
	Body  string `bson:"body"`
}

func (badTwoText) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Text("title")), schema.Index(schema.Text("body"))}
}

type badNameTwice struct {
	A string `bson:"a" odm:"index:dup"`
	B string `bson:"b"`
}

func (badNameTwice) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("b")).Named("dup")}
}

type badSameKeys struct {
	A string `bson:"a" odm:"index"`
}

func (badSameKeys) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("a")).Named("other")}
}

type badSameKeysUniqueTTL struct {
	A time.Time `bson:"a"`
}

func (badSameKeysUniqueTTL) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{
		{Name: "x", Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true},
		{Name: "y", Keys: []schema.IndexKey{schema.Asc("a")}, ExpireAfter: schema.TTL(time.Hour)},
	}
}

type badUniqueHashed struct {
	A string `bson:"a" odm:"index,type:hashed,unique"`
}
type sharedA struct {
	A string `bson:"a" odm:"index:idx_s"`
}

func (sharedA) CollectionName() string { return "shared" }

type sharedB struct {
	A string `bson:"a" odm:"index:idx_s,sort:desc"`
}

func (sharedB) CollectionName() string { return "shared" }

type badPath struct {
	A string `bson:"a"`
}

func (badPath) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("nosuch"))}
}

type badClause struct {
	A string `bson:"a" odm:"idx"`
}
type badSort struct {
	A string `bson:"a" odm:"index,sort:up"`
}
type badMixedPriority struct {
	A string `bson:"a" odm:"index:c,priority:1"`
	B string `bson:"b" odm:"index:c"`
}
type badSamePriority struct {
	A string `bson:"a" odm:"index:c,priority:1"`
	B string `bson:"b" odm:"index:c,priority:1"`
}
type badWeight struct {
	A string `bson:"a" odm:"index,weight:2"`
}
type badNoKeys struct {
	A string `bson:"a"`
}

func (badNoKeys) Indexes() []schema.IndexSpec { return []schema.IndexSpec{{Name: "empty"}} }

type badKeyType struct {
	A string `bson:"a"`
}

func (badKeyType) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.IndexKey{Field: "a", Type: "btree"})}
}

type badSparsePartial struct {
	A string `bson:"a"`
}

func (badSparsePartial) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Sparse: true, PartialFilter: bson.D{{Key: "a", Value: bson.D{{Key: "$exists", Value: true}}}}}}
}

type badProjection struct {
	A string `bson:"a"`
}

func (badProjection) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, WildcardProjection: bson.D{{Key: "a", Value: 1}}}}
}

type badCollectionName struct {
	A string `bson:"a" odm:"index"`
}

func (badCollectionName) CollectionName() string { return "" }

type badPanics struct {
	A string `bson:"a"`
}

func (badPanics) Indexes() []schema.IndexSpec { panic("boom") }

// badMalformedTag has a tag the compiler accepts but reflect cannot read
// (built at run time, as vet refuses such a literal).
var badMalformedTag = reflect.StructOf([]reflect.StructField{
	{Name: "A", Type: reflect.TypeFor[string](), Tag: `bson:"a" odm:"index`},
})

type badKeyTwice struct {
	A string `bson:"a"`
}

func (badKeyTwice) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("a"), schema.Desc("a"))}
}

type badIDIndex struct {
	ID string `bson:"_id" odm:"uniqueIndex"`
}

type badTwoHashed struct {
	A string `bson:"a" odm:"index:h,type:hashed"`
	B string `bson:"b" odm:"index:h,type:hashed"`
}

type badUnexported struct {
	A string `bson:"a"`
	b string `odm:"index"`
}

var _ = badUnexported{b: ""} // the codec never stores b

type badSkippedField struct {
	A string `bson:"-" odm:"uniqueIndex"`
	B string `bson:"b"`
}
type innerHidden struct {
	X string `bson:"x"`
	y string `odm:"index"`
}

var _ = innerHidden{y: ""}

type badNestedUnexported struct {
	In innerHidden `bson:"in"`
}
type badDupName struct {
	A string `bson:"x"`
	B string `bson:"x"`
}
type badDupDefaultName struct {
	Name string
	NAME string
}
type InlineX struct {
	X string `bson:"x"`
}
type InlineY struct {
	Y string `bson:"x"`
}
type badDupInline struct {
	InlineX `bson:",inline"`
	InlineY `bson:",inline"`
}
type badDottedName struct {
	A string `bson:"a.b"`
}
type badDollarName struct {
	A string `bson:"$a"`
}
type badInlineSelf struct {
	Name string         `bson:"name"`
	Self *badInlineSelf `bson:",inline"`
}
type badTTLString struct {
	A string `bson:"a" odm:"index,ttl:60"`
}
type badTTLNumber struct {
	A int64 `bson:"a" odm:"index:exp,ttl:1h"`
}
type badTTLStrings struct {
	A []string `bson:"a" odm:"index,ttl:60"`
}
type badTTLMethod struct {
	N float64 `bson:"n"`
}

func (badTTLMethod) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("n")}, ExpireAfter: schema.TTL(time.Hour)}}
}

type ttlMeta struct {
	At string `bson:"at" odm:"index,ttl:60"`
}
type badTTLNested struct {
	Meta ttlMeta `bson:"meta"`
}
type badSphereString struct {
	Loc string `bson:"loc" odm:"index,type:2dsphere"`
}
type badSphereStrings struct {
	Loc []string `bson:"loc" odm:"index,type:2dsphere"`
}
type badFlatTime struct {
	At time.Time `bson:"at" odm:"index,type:2d"`
}
type badSphereBool struct {
	On bool `bson:"on"`
}

func (badSphereBool) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Geo2DSphere("on"))}
}

type badTextInt struct {
	N int `bson:"n" odm:"index,type:text"`
}
type textInner struct {
	S string `bson:"s"`
}
type badTextStruct struct {
	In textInner `bson:"in" odm:"index,type:text"`
}
type badTextInts struct {
	N []int `bson:"n" odm:"index,type:text"`
}
type badOptionTwice struct {
	A time.Time `bson:"a" odm:"index,ttl:60,ttl:120"`
}
type badSortTwice struct {
	A string `bson:"a" odm:"index,sort:asc,sort:desc"`
}

type withValidator struct{}

func (withValidator) Validator() schema.Validator { return schema.Validator{} }

type badRuleTwice struct {
	withValidator
	A int `bson:"a" odm:"min:1;min:2"`
}
type badPattern struct {
	withValidator
	A string `bson:"a" odm:"pattern:[a-z"`
}
type badPatternParen struct {
	withValidator
	A string `bson:"a" odm:"pattern:(ab"`
}
type badRequiredNoValidator struct {
	A string `bson:"a" odm:"required"`
}
type badEnumNoValidator struct {
	A string `bson:"a" odm:"index;enum:x|y"`
}
type badMinNoValidator struct {
	N int `bson:"n" odm:"min:0;max:9"`
}
type badRulesExplicitSchema struct {
	A string `bson:"a" odm:"required"`
}

func (badRulesExplicitSchema) Validator() schema.Validator {
	return schema.Validator{Schema: bson.D{{Key: "bsonType", Value: "object"}}}
}

type badGeneric[T any] struct {
	V T `bson:"v" odm:"index"`
}
type badRecursiveTag struct {
	Kids []badRecursiveTag `bson:"kids"`
	A    string            `bson:"a" odm:"index,bogus"`
}
type boundModel struct {
	A string `bson:"a" odm:"index"`
}

// TestValidationRejectsBadDeclarations: each bad declaration is reported
// with the Go type, the field (or method) and the problem, and nothing
// reaches the server.
func TestValidationRejectsBadDeclarations(t *testing.T) {
	tests := []struct {
		name   string
		models []any
		// every string must appear in one problem
		want []string
	}{
		{"unknown tag option", []any{badOption{}}, []string{"odm_test.badOption", ".A", `index,uniq`, `unknown option "uniq"`}},
		{"TTL not a duration", []any{badTTLWord{}}, []string{"badTTLWord", ".A", "ttl:soon", "ttl must be whole seconds or a duration"}},
		{"negative TTL", []any{badTTLNegative{}}, []string{"badTTLNegative", ".A", "ttl:-5", "ttl must be from 0"}},
		{"TTL not whole seconds", []any{badTTLFraction{}}, []string{"badTTLFraction", ".A", "1500ms", "whole number of seconds"}},
		{"TTL on a compound index", []any{badTTLCompound{}}, []string{"badTTLCompound", ".A", "index c", "a TTL index must have a single key"}},
		{"TTL on _id", []any{badTTLOnID{}}, []string{"badTTLOnID", ".ID", "ttl:60", "cannot be on _id"}},
		{"two text indexes", []any{badTwoText{}}, []string{"badTwoText", "Indexes()[1]", "only one text index"}},
		{"a name declared twice", []any{badNameTwice{}}, []string{"badNameTwice", "Indexes()[0]", `index name "dup" is declared twice`, "badNameTwice.A"}},
		{"same keys under two names", []any{badSameKeys{}}, []string{"badSameKeys", "Indexes()[0]", "same keys, collation and partial filter", `"a_1"`}},
		{"same keys, unique and TTL", []any{badSameKeysUniqueTTL{}}, []string{"badSameKeysUniqueTTL", "Indexes()[1]", "same keys"}},
		{"unique hashed", []any{badUniqueHashed{}}, []string{"badUniqueHashed", ".A", "type:hashed,unique", "hashed index cannot be unique"}},
		{"two models, one collection, in conflict", []any{sharedA{}, sharedB{}}, []string{"sharedB", ".A", "collection shared", "declared twice with different specs"}},
		{"path not in the struct", []any{badPath{}}, []string{"badPath", "Indexes()[0]", "nosuch", "names no field of the struct", "OutsideStruct"}},
		{"unknown clause", []any{badClause{}}, []string{"badClause", ".A", `unknown clause "idx"`}},
		{"bad sort", []any{badSort{}}, []string{"badSort", ".A", "sort:up", "sort must be asc or desc"}},
		{"mixed priorities", []any{badMixedPriority{}}, []string{"badMixedPriority", ".B", "give every member a priority"}},
		{"same priority twice", []any{badSamePriority{}}, []string{"badSamePriority", ".B", "priority 1 is given twice"}},
		{"weight without text", []any{badWeight{}}, []string{"badWeight", ".A", "weight:2", "weight applies to text keys only"}},
		{"index without keys", []any{badNoKeys{}}, []string{"badNoKeys", "Indexes()[0]", "at least one key"}},
		{"unknown key type", []any{badKeyType{}}, []string{"badKeyType", "Indexes()[0]", `unknown key type "btree"`}},
		{"sparse and partial", []any{badSparsePartial{}}, []string{"badSparsePartial", "Indexes()[0]", "both sparse and partial"}},
		{"projection without wildcard", []any{badProjection{}}, []string{"badProjection", "Indexes()[0]", "wildcardProjection needs a single $** key"}},
		{"empty collection name", []any{badCollectionName{}}, []string{"badCollectionName", "CollectionName()", "collection name is empty"}},
		{"Indexes panics", []any{badPanics{}}, []string{"badPanics", "Indexes()", "panicked: boom"}},
		{"malformed tag", []any{badMalformedTag}, []string{".A", `odm:\"index`, "malformed struct tag"}},
		{"key twice", []any{badKeyTwice{}}, []string{"badKeyTwice", "Indexes()[0]", "key a appears twice"}},
		{"two hashed keys", []any{badTwoHashed{}}, []string{"badTwoHashed", "only one hashed key"}},
		{"index on _id", []any{badIDIndex{}}, []string{"badIDIndex", ".ID", "uniqueIndex", "_id index already"}},
		{"not a struct", []any{42}, []string{"int", "a model must be a struct"}},
		{"nil model", []any{nil}, []string{"a model is nil"}},
		{"index tag on an unexported field", []any{badUnexported{}}, []string{"badUnexported", ".b", "index", "never stores", "unexported"}},
		{`index tag on a bson:"-" field`, []any{badSkippedField{}}, []string{"badSkippedField", ".A", "uniqueIndex", "never stores", `bson:"-"`}},
		{"index tag on an unexported nested field", []any{badNestedUnexported{}}, []string{"badNestedUnexported", ".y", "never stores", "a field of odm_test.innerHidden"}},
		{"two fields, one bson name", []any{badDupName{}}, []string{"badDupName", ".B", `two fields have the bson name "x" (and A)`}},
		{"two fields, one default bson name", []any{badDupDefaultName{}}, []string{"badDupDefaultName", ".NAME", `bson name "name"`}},
		{"two inline fields, one bson name", []any{badDupInline{}}, []string{"badDupInline", ".InlineY.Y", `bson name "x"`}},
		{"bson name with a dot", []any{badDottedName{}}, []string{"badDottedName", ".A", `"a.b" contains '.'`}},
		{"bson name starting with $", []any{badDollarName{}}, []string{"badDollarName", ".A", `"$a" starts with '$'`}},
		{"inline struct containing itself", []any{badInlineSelf{}}, []string{"badInlineSelf", ".Self", "contains itself"}},
		{"TTL on a string", []any{badTTLString{}}, []string{"badTTLString", ".A", "ttl:60", "values of type string never expire"}},
		{"TTL on a number", []any{badTTLNumber{}}, []string{"badTTLNumber", ".A", "index exp", "values of type int64 never expire"}},
		{"TTL on strings", []any{badTTLStrings{}}, []string{"badTTLStrings", ".A", "ttl:60", "BSON date or an array of dates"}},
		{"TTL from Indexes() on a float", []any{badTTLMethod{}}, []string{"badTTLMethod", "Indexes()[0]", "ttl on n (float64)"}},
		{"TTL on a nested string", []any{badTTLNested{}}, []string{"badTTLNested", ".Meta.At", "ttl on meta.at (string)"}},
		{"2dsphere on a string", []any{badSphereString{}}, []string{"badSphereString", ".Loc", "type:2dsphere", "cannot hold a GeoJSON object or a coordinate pair"}},
		{"2dsphere on strings", []any{badSphereStrings{}}, []string{"badSphereStrings", ".Loc", "2dsphere key loc ([]string)"}},
		{"2d on a time", []any{badFlatTime{}}, []string{"badFlatTime", ".At", "type:2d", "2d key at (time.Time): the field cannot hold a coordinate pair"}},
		{"2dsphere from Indexes() on a bool", []any{badSphereBool{}}, []string{"badSphereBool", "Indexes()[0]", "2dsphere key on (bool)"}},
		{"text on an int", []any{badTextInt{}}, []string{"badTextInt", ".N", "type:text", "text key n (int)", "strings and arrays of strings"}},
		{"text on a struct", []any{badTextStruct{}}, []string{"badTextStruct", ".In", "text key in (odm_test.textInner)"}},
		{"text on ints", []any{badTextInts{}}, []string{"badTextInts", ".N", "text key n ([]int)"}},
		{"option twice in a clause", []any{badOptionTwice{}}, []string{"badOptionTwice", ".A", "ttl:60,ttl:120", "option ttl is given twice in one clause"}},
		{"sort twice in a clause", []any{badSortTwice{}}, []string{"badSortTwice", ".A", "sort:asc,sort:desc", "option sort is given twice"}},
		{"rule twice in a tag", []any{badRuleTwice{}}, []string{"badRuleTwice", ".A", "min:1;min:2", "min is given twice in one tag"}},
		{"invalid pattern", []any{badPattern{}}, []string{"badPattern", ".A", "pattern:[a-z", "not a valid regular expression: missing closing ]"}},
		{"pattern with an open parenthesis", []any{badPatternParen{}}, []string{"badPatternParen", ".A", "pattern:(ab", "missing closing )"}},
		{"required without a validator", []any{badRequiredNoValidator{}}, []string{"badRequiredNoValidator", ".A", "required", "no Validator() method", "would do nothing"}},
		{"enum without a validator", []any{badEnumNoValidator{}}, []string{"badEnumNoValidator", ".A", "enum:x|y", "no Validator() method"}},
		{"min and max without a validator", []any{badMinNoValidator{}}, []string{"badMinNoValidator", ".N", "min:0;max:9", "would do nothing"}},
		{"rules beside an explicit schema", []any{badRulesExplicitSchema{}}, []string{"badRulesExplicitSchema", ".A", "required", "gives its own Schema"}},
		{"generic type without CollectionName", []any{badGeneric[int]{}}, []string{"badGeneric[int]", "CollectionName()", "brackets and package paths"}},
		{"odm.In with an empty name", []any{schema.In("", boundModel{})}, []string{"boundModel", ".odm.In", "collection name is empty"}},
		{"odm.In with a $ name", []any{schema.In("a$b", boundModel{})}, []string{"boundModel", ".odm.In", "contains '$'"}},
		{"odm.In with a system name", []any{schema.In("system.views", boundModel{})}, []string{"boundModel", ".odm.In", "reserved (system.)"}},
		{"odm.In of no model", []any{schema.In("things", 42)}, []string{"int", "a model must be a struct"}},
		{"bad tag in a recursive type", []any{badRecursiveTag{}}, []string{"badRecursiveTag", ".A", "index,bogus", `unknown option "bogus"`}},
	}
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			report, err := odm.Init(context.Background(), db, tt.models...)
			assert.Nil(t, report)
			var verr *schema.ValidationError
			require.ErrorAs(t, err, &verr)
			found := false
			for _, p := range verr.Problems {
				s := p.String()
				all := true
				for _, w := range tt.want {
					all = all && strings.Contains(s, w)
				}
				found = found || all
			}
			assert.True(t, found, "no single problem holds all of %q in:\n%v", tt.want, err)
			assert.Empty(t, rec.Commands(), "nothing may reach the server when validation fails")
			assert.ErrorAs(t, odm.Validate(tt.models...), &verr, "Validate agrees")
			_, err = odm.Declared(tt.models...)
			assert.ErrorAs(t, err, &verr, "Declared agrees")
		})
	}
	assert.GreaterOrEqual(t, len(tests), 45)
}

type threeProblems struct {
	A string `bson:"a" odm:"index,uniq"`
	B string `bson:"b" odm:"index,sort:sideways"`
	C string `bson:"c" odm:"index,ttl:never"`
}

// TestValidationReportsEveryProblem: all problems of all models come back
// in one error, and a valid model given alongside is not created either.
func TestValidationReportsEveryProblem(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	_, err := odm.Init(context.Background(), db, plainModel{}, threeProblems{}, badPath{})
	var verr *schema.ValidationError
	require.True(t, errors.As(err, &verr))
	assert.Len(t, verr.Problems, 4)
	assert.Contains(t, err.Error(), "4 invalid declarations")
	assert.Empty(t, rec.Commands())
}

// TestBlankTagsDeclareNothing: a tag made of spaces, or an empty odm
// value, declares nothing and panics nothing (built at run time, as vet
// refuses such literals).
func TestBlankTagsDeclareNothing(t *testing.T) {
	for _, tag := range []reflect.StructTag{" ", "   ", "\t", " \n ", `odm:""`, `odm:" "`, `odm:";"`, `bson:"a" odm:" ; "`} {
		typ := reflect.StructOf([]reflect.StructField{{Name: "A", Type: reflect.TypeFor[string](), Tag: tag}})
		require.NotPanics(t, func() {
			decl, err := odm.Declared(schema.In("blank", typ))
			require.NoError(t, err, "%q", tag)
			assert.Empty(t, decl["blank"], "%q", tag)
			_, err = schema.GenerateSchema(typ)
			assert.NoError(t, err, "%q", tag)
		}, "%q", tag)
	}
}
