package odm_test

// Generated table of declarations MongoDB would refuse, or that would index
// nothing (issue 17); each row names the Go type, the field and the rule.

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

func ptr[T any](v T) *T { return &v }

type ShadowedInner struct {
	Email string `bson:"email" odm:"uniqueIndex"`
}
type ruleShadowed struct {
	ShadowedInner `bson:",inline"`
	Email         string `bson:"email"`
}
type ShadowedDeep struct {
	Code string `bson:"code" odm:"index"`
}
type ShadowedMiddle struct {
	ShadowedDeep `bson:",inline"`
	Code         int `bson:"code"`
}
type ruleShadowedDeep struct {
	ShadowedMiddle `bson:",inline"`
}
type ShadowedPtr struct {
	At time.Time `bson:"at" odm:"index,ttl:60"`
}
type ruleShadowedPtr struct {
	*ShadowedPtr `bson:",inline"`
	At           string `bson:"at"`
}
type hiddenBase struct {
	Email string `bson:"email" odm:"uniqueIndex"`
}
type ruleUnexportedEmbedded struct {
	hiddenBase
	Name string `bson:"name"`
}
type ruleUnexportedInline struct {
	hiddenBase `bson:",inline"`
	Name       string `bson:"name"`
}
type hiddenNested struct {
	Inner struct {
		Code string `bson:"code" odm:"index"`
	} `bson:"inner"`
}
type ruleUnexportedNested struct {
	*hiddenNested `bson:",inline"`
	Name          string `bson:"name"`
}
type MapHeld struct {
	Code string `bson:"code" odm:"uniqueIndex"`
}
type ruleMapHeld struct {
	Items map[string]MapHeld `bson:"items"`
}
type ruleMapHeldPtrs struct {
	Items map[string][]*MapHeld `bson:"items"`
}
type ruleMapHeldNested struct {
	Outer struct {
		ByID map[int]MapHeld `bson:"by_id"`
	} `bson:"outer"`
}
type rulePartialTypo struct {
	Email  string `bson:"email"`
	Active bool   `bson:"active"`
}

func (rulePartialTypo) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true, PartialFilter: bson.D{{Key: "actve", Value: true}}}}
}

type rulePartialTypoAnd struct {
	Email  string `bson:"email"`
	Active bool   `bson:"active"`
}

func (rulePartialTypoAnd) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true, PartialFilter: bson.D{{Key: "$and", Value: bson.A{
		bson.D{{Key: "active", Value: true}}, bson.D{{Key: "emial", Value: bson.D{{Key: "$exists", Value: true}}}}}}}}}
}

type GridCell struct {
	Value string `bson:"value"`
}
type ruleNestedArrays struct {
	Grid [][]GridCell `bson:"grid"`
}

func (ruleNestedArrays) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("grid.value"))}
}

type TaggedCell struct {
	Value string `bson:"value" odm:"index"`
}
type ruleNestedArraysTag struct {
	Grid [][]*TaggedCell `bson:"grid"`
}
type ruleNestedArraysDeep struct {
	Rows []struct {
		Cells [][3]TaggedCell `bson:"cells"`
	} `bson:"rows"`
}
type ruleHashedArray struct {
	Tags []string `bson:"tags" odm:"index,type:hashed"`
}
type HashedItem struct {
	SKU string `bson:"sku"`
}
type ruleHashedThroughArray struct {
	Items []HashedItem `bson:"items"`
}

func (ruleHashedThroughArray) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Hashed("items.sku"))}
}

type StringPoint struct {
	Lng string `bson:"lng"`
	Lat string `bson:"lat"`
}
type ruleSphereStringStruct struct {
	Loc StringPoint `bson:"loc" odm:"index,type:2dsphere"`
}
type ruleSphereDeepArrays struct {
	Area [][][]float64 `bson:"area" odm:"index,type:2dsphere"`
}
type ruleFlatStringStruct struct {
	Pos StringPoint `bson:"pos" odm:"index,type:2d"`
}
type GeoNoCoords struct {
	Type string `bson:"type"`
	Name string `bson:"name"`
}
type ruleSphereNoCoords struct {
	Loc []GeoNoCoords `bson:"loc" odm:"index,type:2dsphere"`
}
type ruleTimeFieldString struct {
	At   string `bson:"at"`
	Meta string `bson:"meta"`
}

func (ruleTimeFieldString) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "at", MetaField: "meta"}}
}

type ruleTimeFieldInt struct {
	At int64 `bson:"at"`
}

func (ruleTimeFieldInt) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "at"}}
}

// Stamp writes itself as a document, whatever its Go kind.
type Stamp time.Time

func (s Stamp) MarshalBSON() ([]byte, error) {
	return bson.Marshal(bson.D{{Key: "at", Value: time.Time(s)}})
}

type ruleTTLMarshaler struct {
	At Stamp `bson:"at" odm:"index,ttl:3600"`
}

// Title writes itself as a document.
type Title string

func (t Title) MarshalBSON() ([]byte, error) {
	return bson.Marshal(bson.D{{Key: "v", Value: string(t)}})
}

type ruleTextMarshaler struct {
	T Title `bson:"t" odm:"index,type:text"`
}
type ruleTTLURL struct {
	Link url.URL `bson:"link" odm:"index,ttl:60"`
}
type ruleTextVector struct {
	V bson.Vector `bson:"v" odm:"index,type:text"`
}
type ruleTextSymbol struct {
	S bson.Symbol `bson:"s" odm:"index,type:text"`
}
type ruleMinAboveMax struct {
	withValidator
	N int `bson:"n" odm:"min:10;max:1"`
}
type ruleMinOnString struct {
	withValidator
	S string `bson:"s" odm:"min:1"`
}
type ruleMaxOnTime struct {
	withValidator
	At time.Time `bson:"at" odm:"max:5"`
}
type rulePatternOnInt struct {
	withValidator
	N int `bson:"n" odm:"pattern:^[0-9]+$"`
}
type rulePatternOnURLs struct {
	withValidator
	Links []bson.Binary `bson:"links" odm:"pattern:^https"`
}
type ruleTextSphere struct {
	A   string    `bson:"a"`
	B   []float64 `bson:"b"`
	Loc []float64 `bson:"loc"`
}

func (ruleTextSphere) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Text("a"), schema.Geo2DSphere("b"))}
}

type ruleSphereHashed struct {
	A   string    `bson:"a"`
	B   []float64 `bson:"b"`
	Loc []float64 `bson:"loc"`
}

func (ruleSphereHashed) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Geo2DSphere("b"), schema.Hashed("a"))}
}

type ruleTextWildcard struct {
	A   string    `bson:"a"`
	B   []float64 `bson:"b"`
	Loc []float64 `bson:"loc"`
}

func (ruleTextWildcard) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Text("a"), schema.Wildcard(""))}
}

type ruleTwoFlat struct {
	A   string    `bson:"a"`
	B   []float64 `bson:"b"`
	Loc []float64 `bson:"loc"`
}

func (ruleTwoFlat) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Geo2D("b"), schema.Geo2D("loc"))}
}

type ruleFlatText struct {
	A   string    `bson:"a"`
	B   []float64 `bson:"b"`
	Loc []float64 `bson:"loc"`
}

func (ruleFlatText) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Geo2D("b"), schema.Text("a"))}
}

type ruleUniqueWildcard struct {
	Attrs map[string]string `bson:"attrs"`
}

func (ruleUniqueWildcard) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Wildcard("attrs")}, Unique: true}}
}

type ruleTTLWildcard struct {
	Attrs map[string]time.Time `bson:"attrs"`
}

func (ruleTTLWildcard) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Wildcard("")}, ExpireAfter: schema.TTL(time.Hour)}}
}

type rulePartialNe struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialNe) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "status", Value: bson.D{{Key: "$ne", Value: "x"}}}}}}
}

type rulePartialNin struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialNin) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "status", Value: bson.D{{Key: "$nin", Value: bson.A{"x"}}}}}}}
}

type rulePartialNot struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialNot) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "status", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$eq", Value: "x"}}}}}}}}
}

type rulePartialExistsFalse struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialExistsFalse) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "status", Value: bson.D{{Key: "$exists", Value: false}}}}}}
}

type rulePartialExistsZero struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialExistsZero) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "status", Value: bson.D{{Key: "$exists", Value: int32(0)}}}}}}
}

type rulePartialRegex struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialRegex) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "status", Value: bson.D{{Key: "$regex", Value: "^a"}}}}}}
}

type rulePartialNor struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialNor) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "$nor", Value: bson.A{bson.D{{Key: "status", Value: "x"}}}}}}}
}

type ruleCollationStrength struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (ruleCollationStrength) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Collation: &options.Collation{Locale: "en", Strength: 9}}}
}

type ruleCollationCaseFirst struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (ruleCollationCaseFirst) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Collation: &options.Collation{Locale: "en", CaseFirst: "title"}}}
}

type ruleNameStar struct {
	A string `bson:"a" odm:"index:*"`
}
type ruleDotCollection struct {
	A string `bson:"a" odm:"index"`
}

func (ruleDotCollection) CollectionName() string { return ".hidden" }

type ruleManyIndexes struct {
	A map[string]int `bson:"a"`
}

func (ruleManyIndexes) Indexes() []schema.IndexSpec {
	var out []schema.IndexSpec
	for i := 0; i < 64; i++ {
		out = append(out, schema.Index(schema.Asc(fmt.Sprintf("a.f%d", i))).Named(fmt.Sprintf("i%d", i)))
	}
	return out
}

type ruleManyKeys struct {
	A map[string]int `bson:"a"`
}

func (ruleManyKeys) Indexes() []schema.IndexSpec {
	var keys []schema.IndexKey
	for i := 0; i < 33; i++ {
		keys = append(keys, schema.Asc(fmt.Sprintf("a.k%d", i)))
	}
	return []schema.IndexSpec{schema.Index(keys...).Named("wide")}
}

type ruleTTLCapped struct {
	At time.Time `bson:"at" odm:"index,ttl:60"`
}

func (ruleTTLCapped) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{Capped: &schema.CappedOptions{Size: 1 << 20}}
}

type ruleTimeSeriesBase struct {
	At     time.Time `bson:"at"`
	Sensor string    `bson:"sensor"`
}

func (ruleTimeSeriesBase) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "at", MetaField: "sensor"}}
}

type ruleTimeSeriesUnique struct {
	ruleTimeSeriesBase `bson:",inline"`
	Serial             string `bson:"serial" odm:"uniqueIndex"`
}
type ruleTimeSeriesTTL struct {
	ruleTimeSeriesBase `bson:",inline"`
}

func (ruleTimeSeriesTTL) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(time.Hour)}}
}

type ruleMetaIsTime struct {
	At time.Time `bson:"at"`
}

func (ruleMetaIsTime) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "at", MetaField: "at"}}
}

type ruleRevisionOnID struct {
	ID int64 `bson:"_id" odm:"revision"`
}
type ruleSimpleCollation struct {
	Name string `bson:"name" odm:"index"`
}

func (ruleSimpleCollation) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Name: "name_simple", Keys: []schema.IndexKey{schema.Asc("name")}, Collation: &options.Collation{Locale: "simple"}}}
}

type ruleWildcardTwice struct {
	Attrs map[string]string `bson:"attrs"`
}

func (ruleWildcardTwice) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Wildcard("attrs.$**"))}
}

type ruleWildcardMiddle struct {
	Attrs map[string]string `bson:"attrs"`
}

func (ruleWildcardMiddle) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("attrs.$**.x"))}
}

type ruleDollarPart struct {
	Attrs map[string]string `bson:"attrs"`
}

func (ruleDollarPart) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("attrs.$x"))}
}

type ruleFlatBits struct {
	P []float64 `bson:"p"`
}

func (ruleFlatBits) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Geo2D("p")}, Bits: ptr(int32(40))}}
}

type ruleFlatMinMax struct {
	P []float64 `bson:"p"`
}

func (ruleFlatMinMax) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Geo2D("p")}, Min: ptr(10.0), Max: ptr(1.0)}}
}

type ruleFlatMinDefault struct {
	P []float64 `bson:"p"`
}

func (ruleFlatMinDefault) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Geo2D("p")}, Min: ptr(200.0)}}
}

type ruleKlingon struct {
	Body string `bson:"body"`
}

func (ruleKlingon) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Text("body")}, DefaultLanguage: "klingon"}}
}

// TestValidationRefusesWhatMongoDBRefuses: each declaration MongoDB would
// refuse, or that would index nothing, is refused by Init, Validate and
// Declared alike, with one problem naming the Go type, the field (or
// method) and the rule, and nothing reaches the server.
// testdata/index-rules.md lists the rules.
func TestValidationRefusesWhatMongoDBRefuses(t *testing.T) {
	tests := []struct {
		name  string
		model any
		// the Go type and field, then the tag text (when in a tag) and the rule
		where string
		want  []string
	}{
		{"inline field shadowed by the outer struct", ruleShadowed{}, "odm_test.ruleShadowed.ShadowedInner.Email", []string{"uniqueIndex", `bson name "email" and hides this one`}},
		{"inline field shadowed two levels up", ruleShadowedDeep{}, "odm_test.ruleShadowedDeep.ShadowedMiddle.ShadowedDeep.Code", []string{`bson name "code" and hides this one`}},
		{"inline pointer field shadowed", ruleShadowedPtr{}, "odm_test.ruleShadowedPtr.ShadowedPtr.At", []string{"ttl:60", "hides this one"}},
		{"tags inside an unexported embedded struct", ruleUnexportedEmbedded{}, "odm_test.ruleUnexportedEmbedded.hiddenBase", []string{"never stores this field (it is unexported)", "odm_test.hiddenBase inside it"}},
		{"tags inside an unexported inline struct", ruleUnexportedInline{}, "odm_test.ruleUnexportedInline.hiddenBase", []string{"never stores", "odm_test.hiddenBase"}},
		{"tags deep inside an unexported embedded pointer", ruleUnexportedNested{}, "odm_test.ruleUnexportedNested.hiddenNested", []string{"never stores"}},
		{"tags on a struct held in a map", ruleMapHeld{}, "odm_test.ruleMapHeld.Items", []string{"map[string]odm_test.MapHeld", "never read"}},
		{"tags on structs held in a map of slices", ruleMapHeldPtrs{}, "odm_test.ruleMapHeldPtrs.Items", []string{"odm_test.MapHeld inside it are never read"}},
		{"tags on a struct held in a nested map", ruleMapHeldNested{}, "odm_test.ruleMapHeldNested.Outer.ByID", []string{"never read"}},
		{"partial filter path with a typo", rulePartialTypo{}, "odm_test.rulePartialTypo.Indexes()[0]", []string{"partial filter path actve names no field", "cover no document"}},
		{"partial filter path with a typo inside $and", rulePartialTypoAnd{}, "odm_test.rulePartialTypoAnd.Indexes()[0]", []string{"partial filter path emial names no field"}},
		{"key path through an array of arrays", ruleNestedArrays{}, "odm_test.ruleNestedArrays.Indexes()[0]", []string{"key grid.value passes through grid, an array of arrays"}},
		{"tag below an array of arrays", ruleNestedArraysTag{}, "odm_test.ruleNestedArraysTag.Grid.Value", []string{"index", "grid.value lies below grid, an array of arrays"}},
		{"tag below a nested array of fixed arrays", ruleNestedArraysDeep{}, "odm_test.ruleNestedArraysDeep.Rows.Cells.Value", []string{"rows.cells, an array of arrays"}},
		{"hashed on a slice", ruleHashedArray{}, "odm_test.ruleHashedArray.Tags", []string{"type:hashed", "refuses array values in a hashed index"}},
		{"hashed on a path through a slice", ruleHashedThroughArray{}, "odm_test.ruleHashedThroughArray.Indexes()[0]", []string{"hashed key items.sku: items holds an array"}},
		{"2dsphere on a struct of strings", ruleSphereStringStruct{}, "odm_test.ruleSphereStringStruct.Loc", []string{"type:2dsphere", "cannot hold a GeoJSON object or a coordinate pair"}},
		{"2dsphere on [][][]float64", ruleSphereDeepArrays{}, "odm_test.ruleSphereDeepArrays.Area", []string{"2dsphere key area ([][][]float64)"}},
		{"2d on a struct of strings", ruleFlatStringStruct{}, "odm_test.ruleFlatStringStruct.Pos", []string{"2d key pos (odm_test.StringPoint)"}},
		{"2dsphere on structs without coordinates", ruleSphereNoCoords{}, "odm_test.ruleSphereNoCoords.Loc", []string{"cannot hold a GeoJSON object"}},
		{"time series time field typed string", ruleTimeFieldString{}, "odm_test.ruleTimeFieldString.CollectionOptions()", []string{"time field at holds string", "not a date"}},
		{"time series time field typed int64", ruleTimeFieldInt{}, "odm_test.ruleTimeFieldInt.CollectionOptions()", []string{"time field at holds int64, which the driver writes as long"}},
		{"TTL on a type with its own MarshalBSON", ruleTTLMarshaler{}, "odm_test.ruleTTLMarshaler.At", []string{"ttl:3600", "never expire"}},
		{"text on a type with its own MarshalBSON", ruleTextMarshaler{}, "odm_test.ruleTextMarshaler.T", []string{"type:text", "text key t (odm_test.Title)"}},
		{"TTL on a url.URL, written as a string", ruleTTLURL{}, "odm_test.ruleTTLURL.Link", []string{"ttl on link (url.URL)"}},
		{"text on a bson.Vector, written as binary", ruleTextVector{}, "odm_test.ruleTextVector.V", []string{"text key v (bson.Vector)"}},
		{"text on a bson.Symbol, written as a symbol", ruleTextSymbol{}, "odm_test.ruleTextSymbol.S", []string{"text key s (bson.Symbol)"}},
		{"min above max", ruleMinAboveMax{}, "odm_test.ruleMinAboveMax.N", []string{"min:10;max:1", "min 10 is above max 1"}},
		{"min on a string", ruleMinOnString{}, "odm_test.ruleMinOnString.S", []string{"min:1", "min and max apply to numbers, and the field holds string"}},
		{"max on a time", ruleMaxOnTime{}, "odm_test.ruleMaxOnTime.At", []string{"max:5", "the field holds time.Time"}},
		{"pattern on an int", rulePatternOnInt{}, "odm_test.rulePatternOnInt.N", []string{"pattern:^[0-9]+$", "pattern applies to strings, and the field holds int"}},
		{"pattern on binary values", rulePatternOnURLs{}, "odm_test.rulePatternOnURLs.Links", []string{"pattern applies to strings"}},
		{"text and 2dsphere in one index", ruleTextSphere{}, "odm_test.ruleTextSphere.Indexes()[0]", []string{"mixes text and 2dsphere", "more than one index plugin"}},
		{"2dsphere and hashed in one index", ruleSphereHashed{}, "odm_test.ruleSphereHashed.Indexes()[0]", []string{"mixes 2dsphere and hashed"}},
		{"text and wildcard in one index", ruleTextWildcard{}, "odm_test.ruleTextWildcard.Indexes()[0]", []string{"mixes text and wildcard"}},
		{"two 2d keys", ruleTwoFlat{}, "odm_test.ruleTwoFlat.Indexes()[0]", []string{"one 2d key; 2 given"}},
		{"2d and text in one index", ruleFlatText{}, "odm_test.ruleFlatText.Indexes()[0]", []string{"mixes 2d and text"}},
		{"unique wildcard index", ruleUniqueWildcard{}, "odm_test.ruleUniqueWildcard.Indexes()[0]", []string{"a wildcard index cannot be unique"}},
		{"TTL wildcard index", ruleTTLWildcard{}, "odm_test.ruleTTLWildcard.Indexes()[0]", []string{"a wildcard index cannot be a TTL index"}},
		{"partial filter with $ne \"x\"", rulePartialNe{}, "odm_test.rulePartialNe.Indexes()[0]", []string{"refuses $ne in a partial filter"}},
		{"partial filter with $nin bson.A{\"x\"}", rulePartialNin{}, "odm_test.rulePartialNin.Indexes()[0]", []string{"refuses $nin in a partial filter"}},
		{"partial filter with $not bson.D{{Key: \"$eq\", Value: \"x\"}}", rulePartialNot{}, "odm_test.rulePartialNot.Indexes()[0]", []string{"refuses $not in a partial filter"}},
		{"partial filter with $exists false", rulePartialExistsFalse{}, "odm_test.rulePartialExistsFalse.Indexes()[0]", []string{"refuses {$exists: false}"}},
		{"partial filter with $exists int32(0)", rulePartialExistsZero{}, "odm_test.rulePartialExistsZero.Indexes()[0]", []string{"refuses {$exists: false}"}},
		{"partial filter with $regex \"^a\"", rulePartialRegex{}, "odm_test.rulePartialRegex.Indexes()[0]", []string{"refuses $regex in a partial filter"}},
		{"partial filter with $nor", rulePartialNor{}, "odm_test.rulePartialNor.Indexes()[0]", []string{"refuses $nor in a partial filter"}},
		{"collation strength 9", ruleCollationStrength{}, "odm_test.ruleCollationStrength.Indexes()[0]", []string{"collation strength must be from 1 to 5, not 9"}},
		{"collation caseFirst unknown", ruleCollationCaseFirst{}, "odm_test.ruleCollationCaseFirst.Indexes()[0]", []string{`caseFirst must be upper, lower or off, not "title"`}},
		{"index named *", ruleNameStar{}, "odm_test.ruleNameStar.A", []string{"index:*", `cannot be named "*"`}},
		{"collection name starting with a dot", ruleDotCollection{}, "odm_test.ruleDotCollection.CollectionName()", []string{`".hidden" starts with '.'`}},
		{"collection name too long for any namespace", schema.In(strings.Repeat("n", 300), boundModel{}), "odm_test.boundModel.odm.In", []string{"collection name is 300 bytes"}},
		{"64 declared indexes and _id", ruleManyIndexes{}, "odm_test.ruleManyIndexes.Indexes()[63]", []string{"at most 64 indexes", `"i63" is one too many`}},
		{"33 keys in one index", ruleManyKeys{}, "odm_test.ruleManyKeys.Indexes()[0]", []string{"at most 32 keys; 33 given"}},
		{"TTL on a capped collection", ruleTTLCapped{}, "odm_test.ruleTTLCapped.At", []string{"ttl:60", "a capped collection cannot have a TTL index"}},
		{"unique index on a time series collection", ruleTimeSeriesUnique{}, "odm_test.ruleTimeSeriesUnique.Serial", []string{"uniqueIndex", "time series collection cannot have a unique index"}},
		{"TTL index on a time series collection", ruleTimeSeriesTTL{}, "odm_test.ruleTimeSeriesTTL.Indexes()[0]", []string{"expires documents with its own ExpireAfter"}},
		{"meta field equal to the time field", ruleMetaIsTime{}, "odm_test.ruleMetaIsTime.CollectionOptions()", []string{"meta field and time field are both at"}},
		{"revision on _id", ruleRevisionOnID{}, "odm_test.ruleRevisionOnID.ID", []string{"revision", "the revision field cannot be _id"}},
		{"one key pattern twice, once with collation simple", ruleSimpleCollation{}, "odm_test.ruleSimpleCollation.Indexes()[0]", []string{`"name_1" and "name_simple" have the same keys`}},
		{"wildcard path given with its $**", ruleWildcardTwice{}, "odm_test.ruleWildcardTwice.Indexes()[0]", []string{"key attrs.$**.$**: $** may appear once"}},
		{"wildcard in the middle of a path", ruleWildcardMiddle{}, "odm_test.ruleWildcardMiddle.Indexes()[0]", []string{"as the last part of a path"}},
		{"key path part starting with $", ruleDollarPart{}, "odm_test.ruleDollarPart.Indexes()[0]", []string{"a path part cannot start with '$'"}},
		{"2d bits 40", ruleFlatBits{}, "odm_test.ruleFlatBits.Indexes()[0]", []string{"2d bits must be from 1 to 32, not 40"}},
		{"2d min above max", ruleFlatMinMax{}, "odm_test.ruleFlatMinMax.Indexes()[0]", []string{"2d min (10) must be below max (1)"}},
		{"2d min above the default max", ruleFlatMinDefault{}, "odm_test.ruleFlatMinDefault.Indexes()[0]", []string{"2d min (200) must be below max (180)"}},
		{"default_language klingon", ruleKlingon{}, "odm_test.ruleKlingon.Indexes()[0]", []string{`default_language "klingon" is no language`}},
		{"partial filter with a regular expression value", rulePartialRegexValue{}, "odm_test.rulePartialRegexValue.Indexes()[0]", []string{"refuses a regular expression in a partial filter"}},
		{"partial filter with $ne in a bson.M under $and", rulePartialMapNe{}, "odm_test.rulePartialMapNe.Indexes()[0]", []string{"partial filter on status: MongoDB refuses $ne"}},
		{"a shadowed inline field holding tagged structs", ruleShadowedDoc{}, "odm_test.ruleShadowedDoc.ShadowedDoc.Inner", []string{`bson name "meta" and hides this one`, "inside it would do nothing"}},
		{"hashed wildcard key", ruleHashedWildcard{}, "odm_test.ruleHashedWildcard.Indexes()[0]", []string{"a wildcard key is ascending or descending, not hashed"}},
		{"2d on a GeoJSON struct", ruleFlatGeoJSON{}, "odm_test.ruleFlatGeoJSON.Loc", []string{"type:2d", "a 2d index takes legacy pairs, not GeoJSON"}},
		{"collection collation strength 7", ruleCollectionCollation{}, "odm_test.ruleCollectionCollation.CollectionOptions()", []string{"collation strength must be from 1 to 5, not 7"}},
		{"Validator().Rules min above max", ruleValidatorRules{}, "odm_test.ruleValidatorRules.Validator()", []string{"rule for n: min 5 is above max 1"}},
		{"Validator().Rules min on a string", ruleValidatorRules{}, "odm_test.ruleValidatorRules.Validator()", []string{"rule for s: min and max apply to numbers"}},
	}
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			report, err := odm.Init(context.Background(), db, tt.model, odm.SkipUnsupported())
			assert.Nil(t, report)
			var verr *schema.ValidationError
			require.ErrorAs(t, err, &verr)
			found := false
			for _, p := range verr.Problems {
				s := p.String()
				all := strings.HasPrefix(s, tt.where+" ") || strings.HasPrefix(s, tt.where+":")
				for _, w := range tt.want {
					all = all && strings.Contains(s, w)
				}
				found = found || all
			}
			assert.True(t, found, "no single problem at %s holds all of %q in:\n%v", tt.where, tt.want, err)
			assert.Empty(t, rec.Commands(), "nothing may reach the server when validation fails")
			assert.ErrorAs(t, odm.Validate(tt.model), &verr, "Validate agrees")
			_, err = odm.Declared(tt.model)
			assert.ErrorAs(t, err, &verr, "Declared agrees")
		})
	}
	assert.GreaterOrEqual(t, len(tests), 45)
}

type ruleValidatorRules struct {
	N int    `bson:"n"`
	S string `bson:"s"`
}

func (ruleValidatorRules) Validator() schema.Validator {
	return schema.Validator{Rules: map[string]schema.Rule{"n": {Minimum: ptr(5.0), Maximum: ptr(1.0)}, "s": {Minimum: ptr(1.0)}}}
}

type rulePartialRegexValue struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialRegexValue) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "status", Value: bson.Regex{Pattern: "^a"}}}}}
}

type rulePartialMapNe struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
}

func (rulePartialMapNe) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "$and", Value: []bson.M{{"status": bson.M{"$ne": "x"}}}}}}}
}

type ShadowedDoc struct {
	Inner struct {
		Code string `bson:"code" odm:"uniqueIndex"`
	} `bson:"meta"`
}
type ruleShadowedDoc struct {
	ShadowedDoc `bson:",inline"`
	Meta        string `bson:"meta"`
}

type ruleHashedWildcard struct {
	Attrs map[string]string `bson:"attrs"`
}

func (ruleHashedWildcard) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Hashed("attrs.$**"))}
}

type partialMaps struct {
	A      string `bson:"a"`
	Status string `bson:"status"`
	N      int    `bson:"n"`
}

func (partialMaps) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true, PartialFilter: bson.D{{Key: "$and", Value: []bson.M{
		{"status": "open"}, {"n": bson.M{"$gt": 1}}, {"a": bson.M{"$exists": true}}}}}}}
}

// TestPartialFiltersInEveryFormAreRead: a partial filter written with
// bson.M and Go slices is read as bson.D would be: accepted when every
// operator and path holds.
func TestPartialFiltersInEveryFormAreRead(t *testing.T) {
	assert.NoError(t, odm.Validate(partialMaps{}))
}

type ruleCollectionCollation struct {
	A string `bson:"a"`
}

func (ruleCollectionCollation) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{Collation: &options.Collation{Locale: "fr", Strength: 7}}
}

type dbRefAndLanguage struct {
	Owner bson.M `bson:"owner"` // a DBRef: {$ref, $id}
	Body  string `bson:"body"`
}

func (dbRefAndLanguage) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{
		schema.Index(schema.Asc("owner.$id")),
		{Keys: []schema.IndexKey{schema.Text("body")}, DefaultLanguage: "French"},
	}
}

// TestDBRefPartsAndLanguageNamesAreAccepted: a key on a DBRef's $id and
// a default_language written with capitals are what MongoDB accepts.
func TestDBRefPartsAndLanguageNamesAreAccepted(t *testing.T) {
	decl, err := odm.Declared(dbRefAndLanguage{})
	require.NoError(t, err)
	assert.Len(t, decl["db_ref_and_language"], 2)
}

type GeoJSONPoint struct {
	Type        string    `bson:"type"`
	Coordinates []float64 `bson:"coordinates"`
}
type ruleFlatGeoJSON struct {
	Loc GeoJSONPoint `bson:"loc" odm:"index,type:2d"`
}
type geoJSONSphere struct {
	Loc   GeoJSONPoint   `bson:"loc" odm:"index,type:2dsphere"`
	Areas []GeoJSONPoint `bson:"areas" odm:"index,type:2dsphere"`
	Pairs [][]float64    `bson:"pairs" odm:"index,type:2d"`
	Pt    codecPoint     `bson:"pt" odm:"index:pt,type:2d"`
}

// TestGeoFieldsThatHoldPointsAreAccepted: GeoJSON structs (alone or in a
// slice) for 2dsphere, arrays of legacy pairs and documents of two
// numbers for 2d.
func TestGeoFieldsThatHoldPointsAreAccepted(t *testing.T) {
	assert.NoError(t, odm.Validate(geoJSONSphere{}))
}

type outsideA struct {
	Tenant string `bson:"tenant"`
}

func (outsideA) CollectionName() string { return "outside_shared" }
func (outsideA) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("tenant"), schema.Asc("extra")).Named("tenant_extra")}
}

type outsideB struct {
	Tenant string `bson:"tenant"`
	Extra  string `bson:"extra"`
}

func (outsideB) CollectionName() string { return "outside_shared" }
func (outsideB) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Name: "tenant_extra", Keys: []schema.IndexKey{schema.Asc("tenant"), schema.Asc("extra")}}}
}

type outsideAOutside struct {
	Tenant string `bson:"tenant"`
}

func (outsideAOutside) CollectionName() string { return "outside_shared" }
func (outsideAOutside) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Name: "tenant_extra", Keys: []schema.IndexKey{schema.Asc("tenant"), schema.Asc("extra")}, OutsideStruct: true}}
}

// TestOneIndexDeclaredWithAndWithoutOutsideStruct: two models declaring
// one index, one of them with OutsideStruct, declare the same index (the
// server makes one); it is no conflict "with different specs" printed
// identically. A model without the field and without OutsideStruct is
// still refused, for its own key.
func TestOneIndexDeclaredWithAndWithoutOutsideStruct(t *testing.T) {
	decl, err := odm.Declared(outsideAOutside{}, outsideB{})
	require.NoError(t, err)
	require.Len(t, decl["outside_shared"], 1)
	assert.Equal(t, "tenant_extra", decl["outside_shared"][0].IndexName())

	err = odm.Validate(outsideA{}, outsideB{})
	var verr *schema.ValidationError
	require.ErrorAs(t, err, &verr)
	require.Len(t, verr.Problems, 1, "%v", err)
	assert.Contains(t, verr.Problems[0].String(), "odm_test.outsideA.Indexes()[0]")
	assert.Contains(t, verr.Problems[0].String(), "key extra names no field of the struct")
	assert.NotContains(t, err.Error(), "declared twice")
}

type filterMeta struct {
	Source string `bson:"source"`
}

type badVectorFilter struct {
	Embedding []float32  `bson:"embedding" odm:"vector:3,cosine"`
	Meta      filterMeta `bson:"meta" odm:"vectorFilter"`
}

// TestABadVectorFilterIsReportedOnce: a vectorFilter on a field that holds
// a document is reported once, at its own field, not again at the vector
// field that opens the index.
func TestABadVectorFilterIsReportedOnce(t *testing.T) {
	err := odm.Validate(badVectorFilter{})
	var verr *schema.ValidationError
	require.ErrorAs(t, err, &verr)
	var about []string
	for _, p := range verr.Problems {
		if strings.Contains(p.Message, "filter meta") {
			about = append(about, p.String())
		}
	}
	require.Len(t, about, 1, "%v", err)
	assert.Contains(t, about[0], "odm_test.badVectorFilter.Meta")
	assert.Contains(t, about[0], "vectorFilter")
	assert.NotContains(t, about[0], ".Embedding")
}

// TestNamespaceWithTheDatabaseNameIsCheckedBeforeAnyCommand: a collection
// name short enough for Validate, too long with the database's name, is
// refused by Init before any command.
func TestNamespaceWithTheDatabaseNameIsCheckedBeforeAnyCommand(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	name := strings.Repeat("n", 255-len(db.Name()))
	require.NoError(t, odm.Validate(schema.In(name, boundModel{})))
	_, err := odm.Init(context.Background(), db, schema.In(name, boundModel{}))
	var verr *schema.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Contains(t, err.Error(), "is 256 bytes; MongoDB allows 255")
	assert.Empty(t, rec.Commands())
}
