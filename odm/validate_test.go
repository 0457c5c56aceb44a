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

func (badTwoText) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{odm.Index(odm.TextKey("title")), odm.Index(odm.TextKey("body"))}
}

type badNameTwice struct {
	A string `bson:"a" odm:"index:dup"`
	B string `bson:"b"`
}

func (badNameTwice) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{odm.Index(odm.Asc("b")).Named("dup")}
}

type badSameKeys struct {
	A string `bson:"a" odm:"index"`
}

func (badSameKeys) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{odm.Index(odm.Asc("a")).Named("other")}
}

type badSameKeysUniqueTTL struct {
	A time.Time `bson:"a"`
}

func (badSameKeysUniqueTTL) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{
		{Name: "x", Keys: []odm.IndexKey{odm.Asc("a")}, Unique: true},
		{Name: "y", Keys: []odm.IndexKey{odm.Asc("a")}, ExpireAfter: odm.TTL(time.Hour)},
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

func (badPath) Indexes() []odm.IndexSpec { return []odm.IndexSpec{odm.Index(odm.Asc("nosuch"))} }

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

func (badNoKeys) Indexes() []odm.IndexSpec { return []odm.IndexSpec{{Name: "empty"}} }

type badKeyType struct {
	A string `bson:"a"`
}

func (badKeyType) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{odm.Index(odm.IndexKey{Field: "a", Type: "btree"})}
}

type badSparsePartial struct {
	A string `bson:"a"`
}

func (badSparsePartial) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("a")}, Sparse: true, PartialFilter: bson.D{{Key: "a", Value: bson.D{{Key: "$exists", Value: true}}}}}}
}

type badProjection struct {
	A string `bson:"a"`
}

func (badProjection) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("a")}, WildcardProjection: bson.D{{Key: "a", Value: 1}}}}
}

type badCollectionName struct {
	A string `bson:"a" odm:"index"`
}

func (badCollectionName) CollectionName() string { return "" }

type badPanics struct {
	A string `bson:"a"`
}

func (badPanics) Indexes() []odm.IndexSpec { panic("boom") }

// badMalformedTag has a tag the compiler accepts but reflect cannot read
// (built at run time, as vet refuses such a literal).
var badMalformedTag = reflect.StructOf([]reflect.StructField{
	{Name: "A", Type: reflect.TypeFor[string](), Tag: `bson:"a" odm:"index`},
})

type badKeyTwice struct {
	A string `bson:"a"`
}

func (badKeyTwice) Indexes() []odm.IndexSpec {
	return []odm.IndexSpec{odm.Index(odm.Asc("a"), odm.Desc("a"))}
}

type badIDIndex struct {
	ID string `bson:"_id" odm:"uniqueIndex"`
}

type badTwoHashed struct {
	A string `bson:"a" odm:"index:h,type:hashed"`
	B string `bson:"b" odm:"index:h,type:hashed"`
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
	}
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			report, err := odm.Init(context.Background(), db, tt.models...)
			assert.Nil(t, report)
			var verr *odm.ValidationError
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
		})
	}
	assert.GreaterOrEqual(t, len(tests), 20)
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
	var verr *odm.ValidationError
	require.True(t, errors.As(err, &verr))
	assert.Len(t, verr.Problems, 4)
	assert.Contains(t, err.Error(), "4 invalid declarations")
	assert.Empty(t, rec.Commands())
}
