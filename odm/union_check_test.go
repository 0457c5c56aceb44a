package odm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// Variants that cannot share a collection with evStarted, each for one
// problem.

type evIndexName struct { // pod_name's index name, another spec
	EvBase  `bson:",inline"`
	PodName string `bson:"pod_name"`
	Other   string `bson:"other"`
}

func (evIndexName) Variant() string { return "index_name" }
func (evIndexName) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Name: "pod_name_1", Keys: []schema.IndexKey{schema.Asc("other")}}}
}

type evIndexOptions struct { // pod_name's keys, unique
	EvBase  `bson:",inline"`
	PodName string `bson:"pod_name" odm:"uniqueIndex:pod_unique"`
}

func (evIndexOptions) Variant() string { return "index_options" }

type evBSONType struct { // pod_name as an int
	EvBase  `bson:",inline"`
	PodName int `bson:"pod_name"`
}

func (evBSONType) Variant() string { return "bson_type" }

type evSameValue struct {
	EvBase `bson:",inline"`
}

func (evSameValue) Variant() string { return "started" }

type evNoDiscriminator struct {
	ID      bson.ObjectID `bson:"_id,omitempty"`
	PodName string        `bson:"pod_name"`
}

func (evNoDiscriminator) CollectionName() string { return "u_events" }
func (evNoDiscriminator) Variant() string        { return "bare" }

type evOtherCollection struct {
	EvBase `bson:",inline"`
}

func (evOtherCollection) Variant() string        { return "elsewhere" }
func (evOtherCollection) CollectionName() string { return "u_other" }

type evIntDiscriminator struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Kind int           `bson:"kind" odm:"discriminator"`
}

type evTwoDiscriminators struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	A    string        `bson:"a" odm:"discriminator"`
	B    string        `bson:"b" odm:"discriminator"`
	Kind string        `bson:"kind" odm:"discriminatr"`
}

func TestUnionValidationErrors(t *testing.T) {
	cases := []struct {
		name  string
		other odm.UnionVariant
		want  []string
	}{
		{"index name", odm.Variant[evIndexName](), []string{"odm_test.evIndexName", "odm_test.evStarted", `index name "pod_name_1" is declared twice with different specs`}},
		{"index options", odm.Variant[evIndexOptions](), []string{"odm_test.evIndexOptions", "odm_test.evStarted", "PodName", "same keys"}},
		{"bson type", odm.Variant[evBSONType](), []string{"odm_test.evBSONType", "odm_test.evStarted.PodName", "PodName", `field "pod_name" is stored as int`, "as string"}},
		{"same value", odm.Variant[evSameValue](), []string{"odm_test.evStarted and odm_test.evSameValue both declare the discriminator value \"started\""}},
		{"no discriminator", odm.Variant[evNoDiscriminator](), []string{"odm_test.evNoDiscriminator", `Variant returns "bare"`, `no field tagged odm:"discriminator"`}},
		{"other collection", odm.Variant[evOtherCollection](), []string{"odm_test.evOtherCollection", `names "u_other"`, "odm_test.evStarted names \"u_events\""}},
		{"not the interface", odm.Variant[EvBase](), []string{"neither it nor *odm_test.EvBase implements odm_test.testEvent"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := odm.NewUnion[testEvent](odm.Variant[evStarted](), c.other)
			require.Error(t, u.Err())
			var ve *schema.ValidationError
			require.ErrorAs(t, u.Err(), &ve)
			for _, w := range c.want {
				assert.Contains(t, u.Err().Error(), w)
			}
			// Validate and Init report the same problems.
			err := odm.Validate(u)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want[len(c.want)-1])
			_, err = odm.Init(context.Background(), nil, u)
			require.Error(t, err)
			_, err = odm.NewUnionCollection(nil, u)
			require.Error(t, err)
		})
	}
	for _, c := range []struct {
		model any
		want  []string
	}{
		{evIntDiscriminator{}, []string{"odm_test.evIntDiscriminator.Kind", `odm:"discriminator"`, "the discriminator field must be a string, not int"}},
		{evTwoDiscriminators{}, []string{"odm_test.evTwoDiscriminators.B", "a model has one discriminator field; a is one already", `"discriminatr": unknown clause`, "did you mean discriminator?"}},
	} {
		_, err := schema.Describe(c.model)
		require.Error(t, err)
		for _, w := range c.want {
			assert.Contains(t, err.Error(), w)
		}
	}
}

// TestUnionDifferential inserts random mixed documents through the union
// and reads them back with the bare driver, switching on event_type by
// hand: both readings agree, document by document.
func TestUnionDifferential(t *testing.T) {
	events, db, ctx := unionFixture(t)
	seed := uint64(20261207)
	r := rand.New(rand.NewPCG(seed, seed))
	const n = 300
	for i := range n {
		base := EvBase{Aggregate: fmt.Sprint("a", r.IntN(20)), At: at(r.IntN(100000))}
		var e testEvent
		switch r.IntN(3) {
		case 0:
			s := &evStarted{EvBase: base, PodName: fmt.Sprint("p", r.Int())}
			if r.IntN(2) == 0 {
				node := fmt.Sprint("n", i)
				s.Node = &node
			}
			e = s
		case 1:
			e = &evCompleted{EvBase: base, ExitCode: r.IntN(256), Stdout: fmt.Sprint(r.Float64()), Node: fmt.Sprint("n", r.IntN(5))}
		default:
			errs := make([]string, r.IntN(4))
			for j := range errs {
				errs[j] = fmt.Sprint("e", r.IntN(100))
			}
			e = &evFailed{EvBase: base, ExitCode: 1 + r.IntN(255), Errors: errs}
		}
		_, err := events.InsertOne(ctx, e)
		require.NoError(t, err, "seed %d, document %d", seed, i)
	}
	viaUnion, err := events.Find(ctx, bson.D{})
	require.NoError(t, err)
	cur, err := db.Collection("u_events").Find(ctx, bson.D{})
	require.NoError(t, err)
	var raws []bson.Raw
	require.NoError(t, cur.All(ctx, &raws))
	require.Len(t, viaUnion, n)
	require.Len(t, raws, n)
	byID := map[bson.ObjectID]testEvent{}
	for _, e := range viaUnion {
		switch e := e.(type) {
		case evStarted:
			byID[e.ID] = e
		case evCompleted:
			byID[e.ID] = e
		case evFailed:
			byID[e.ID] = e
		default:
			t.Fatalf("seed %d: read as %T", seed, e)
		}
	}
	for _, raw := range raws {
		var want testEvent
		switch raw.Lookup("event_type").StringValue() {
		case "started":
			var v evStarted
			require.NoError(t, bson.Unmarshal(raw, &v))
			want = v
		case "completed":
			var v evCompleted
			require.NoError(t, bson.Unmarshal(raw, &v))
			want = v
		case "failed":
			var v evFailed
			require.NoError(t, bson.Unmarshal(raw, &v))
			want = v
		default:
			t.Fatalf("seed %d: stored event_type %v", seed, raw.Lookup("event_type"))
		}
		id := raw.Lookup("_id").ObjectID()
		assert.Equal(t, want, byID[id], "seed %d, _id %v", seed, id)
	}
}

// Variants whose base declares a generated validator: each variant's
// schema differs, and the collection gets one validator holding both.

type VBase struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Kind string        `bson:"kind" odm:"discriminator"`
}

func (VBase) CollectionName() string      { return "u_validated" }
func (VBase) Validator() schema.Validator { return schema.Validator{} }

type vOne struct {
	VBase `bson:",inline"`
	N     int `bson:"n" odm:"required"`
}

func (vOne) Variant() string { return "one" }

type vTwo struct {
	VBase `bson:",inline"`
	S     string `bson:"s" odm:"required"`
}

func (vTwo) Variant() string { return "two" }

func TestUnionMergesValidators(t *testing.T) {
	u := odm.NewUnion[testEvent](odm.Variant[vOne](), odm.Variant[vTwo]())
	require.NoError(t, u.Err())
	cols, err := schema.Collect(u.All())
	require.NoError(t, err)
	require.Len(t, cols, 1)
	v := cols[0].Shape.Validator
	require.NotNil(t, v)
	require.Len(t, v.Schema, 1)
	assert.Equal(t, "anyOf", v.Schema[0].Key)
	branches := v.Schema[0].Value.(bson.A)
	require.Len(t, branches, 2)
	for i, want := range []struct{ value, required string }{{"one", "n"}, {"two", "s"}} {
		ext, err := bson.MarshalExtJSON(branches[i], false, false)
		require.NoError(t, err)
		assert.Contains(t, string(ext), fmt.Sprintf(`"kind":{"enum":["%s"]}`, want.value), "branch %d", i)
		assert.Contains(t, string(ext), fmt.Sprintf(`"required":["%s"]`, want.required), "branch %d", i)
	}
}

// Variants whose base declares an explicit schema: every variant's is the
// same, and the collection keeps it as written, as its other writers (the
// Python service's events collection) declared it.

type XBase struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Kind string        `bson:"kind" odm:"discriminator"`
}

func (XBase) CollectionName() string { return "u_explicit" }
func (XBase) Validator() schema.Validator {
	return schema.Validator{Schema: bson.D{
		{Key: "bsonType", Value: "object"},
		{Key: "required", Value: bson.A{"kind"}},
		{Key: "properties", Value: bson.D{{Key: "kind", Value: bson.D{{Key: "bsonType", Value: "string"}}}}},
	}}
}

type xOne struct {
	XBase `bson:",inline"`
	N     int `bson:"n"`
}

func (xOne) Variant() string { return "one" }

type xTwo struct {
	XBase `bson:",inline"`
	S     string `bson:"s"`
}

func (xTwo) Variant() string { return "two" }

func TestUnionKeepsOneExplicitValidator(t *testing.T) {
	u := odm.NewUnion[testEvent](odm.Variant[xOne](), odm.Variant[xTwo]())
	require.NoError(t, u.Err())
	cols, err := schema.Collect(u.All())
	require.NoError(t, err)
	require.Len(t, cols, 1)
	v := cols[0].Shape.Validator
	require.NotNil(t, v)
	assert.Equal(t, XBase{}.Validator().Schema, v.Schema, "the base's schema, not an anyOf of two copies")

	// A variant whose schema differs turns the merge into an anyOf again.
	mixed := odm.NewUnion[testEvent](odm.Variant[xOne](), odm.Variant[xTwo](), odm.Variant[xThree]())
	require.NoError(t, mixed.Err())
	cols, err = schema.Collect(mixed.All())
	require.NoError(t, err)
	require.Len(t, cols[0].Shape.Validator.Schema, 1)
	assert.Equal(t, "anyOf", cols[0].Shape.Validator.Schema[0].Key)
	assert.Len(t, cols[0].Shape.Validator.Schema[0].Value, 3)
}

type xThree struct {
	XBase `bson:",inline"`
	F     float64 `bson:"f"`
}

func (xThree) Variant() string { return "three" }

func (xThree) Validator() schema.Validator {
	return schema.Validator{Schema: bson.D{{Key: "bsonType", Value: "object"}}}
}
