package odm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// A replace whose document carries another _id than the matched
// document's is refused, as MongoDB refuses it (ImmutableField), and
// changes nothing; with the same _id it replaces.
func TestReplaceWithAnotherIDChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	members := odm.MustCollection[member](db)
	a := member{Email: "a@x", Team: "red", Age: 1}
	b := member{Email: "b@x", Team: "blue", Age: 2}
	_, err := members.InsertMany(ctx, []member{a, b})
	require.NoError(t, err)
	stored, err := members.FindOne(ctx, bson.D{{Key: "email", Value: "b@x"}})
	require.NoError(t, err)
	byEmail := bson.D{{Key: "email", Value: "a@x"}}

	for name, replace := range map[string]func(doc *member) error{
		"ReplaceOne": func(doc *member) error { _, err := members.ReplaceOne(ctx, byEmail, doc); return err },
		"ReplaceOne with upsert": func(doc *member) error {
			_, err := members.ReplaceOne(ctx, byEmail, doc, options.Replace().SetUpsert(true))
			return err
		},
		"FindOneAndReplace": func(doc *member) error { _, err := members.FindOneAndReplace(ctx, byEmail, doc); return err },
	} {
		t.Run(name, func(t *testing.T) {
			doc := member{ID: stored.ID, Email: "a@x", Team: "green", Age: 9}
			err := replace(&doc)
			require.Error(t, err, "b's _id over a")
			var se mongo.ServerError
			if assert.ErrorAs(t, err, &se) {
				assert.True(t, se.HasErrorCode(66), "ImmutableField: %v", err)
			}
			a, err := members.FindOne(ctx, byEmail)
			require.NoError(t, err)
			assert.Equal(t, "red", a.Team, "nothing changed")
			n, err := members.CountDocuments(ctx, bson.D{})
			require.NoError(t, err)
			assert.Equal(t, int64(2), n, "nothing inserted")
		})
	}

	a2, err := members.FindOne(ctx, byEmail)
	require.NoError(t, err)
	a2.Team = "green"
	_, err = members.ReplaceOne(ctx, byEmail, a2)
	require.NoError(t, err, "the matched document's own _id")
	got, err := members.FindOne(ctx, byEmail)
	require.NoError(t, err)
	assert.Equal(t, "green", got.Team)
}

// The defaults of an upsert's insert never override a value the filter
// fixes, however the filter is written.
func TestUpsertDefaultsNeverOverrideTheFilter(t *testing.T) {
	ctx := context.Background()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	repo := odm.MustCollection[defaulted](db)
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "tries", Value: 1}}}}
	copiesAnd := upsertCopiesAndEqualities(t, ctx, db)
	for _, tc := range []struct {
		name   string
		filter bson.D
		field  string
		want   any
	}{
		{"$and", bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "key", Value: "k1"}}, bson.D{{Key: "status", Value: "given"}}}}}, "status", "given"},
		{"$eq", bson.D{{Key: "key", Value: "k2"}, {Key: "status", Value: bson.D{{Key: "$eq", Value: "given"}}}}, "status", "given"},
		{"$and of $eq", bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "key", Value: "k3"}}, bson.D{{Key: "open", Value: bson.D{{Key: "$eq", Value: false}}}}}}}, "open", false},
		{"dotted in $and", bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "key", Value: "k4"}}, bson.D{{Key: "meta.user_id", Value: "u1"}}}}}, "meta.user_id", "u1"},
		{"nested $and", bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "key", Value: "k5"}}, bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "status", Value: "deep"}}}}}}}}, "status", "deep"},
		{"nested document", bson.D{{Key: "key", Value: "k6"}, {Key: "meta", Value: bson.D{{Key: "user_id", Value: "u2"}}}}, "meta.user_id", "u2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.Reset()
			_, err := repo.UpdateOne(ctx, tc.filter, set, options.UpdateOne().SetUpsert(true))
			require.NoError(t, err)
			// What was sent: no default for the field the filter fixes.
			sent := rec.Commands("update")[0].Body.Lookup("updates").Array().Index(0).Document().Lookup("u", "$setOnInsert").Document()
			top := strings.Split(tc.field, ".")[0]
			_, err = sent.LookupErr(top)
			assert.Error(t, err, "$setOnInsert %s sets %s, which the filter fixes", sent, top)
			if !copiesAnd && holdsKey(tc.filter, "$and") {
				t.Skipf("%s does not copy an $and's equalities into an upsert's inserted document (probed with the bare driver); the command sent no default for %s", testrig.Server(), top)
			}
			raw, err := repo.Driver().FindOne(ctx, tc.filter).Raw()
			require.NoError(t, err, "the inserted document matches its own filter")
			v, err := raw.LookupErr(strings.Split(tc.field, ".")...)
			require.NoError(t, err)
			want := bson.RawValue{}
			typ, data, _ := bson.MarshalValue(tc.want)
			want.Type, want.Value = typ, data
			assert.True(t, v.Equal(want), "%s is %v, not %v", tc.field, v, tc.want)
			assert.EqualValues(t, 1, raw.Lookup("tries").AsInt64(), "the update's")
		})
	}
}

// upsertCopiesAndEqualities probes, with the bare driver, whether the
// server copies the equalities inside a filter's $and into the document
// an upsert inserts, as MongoDB does (FerretDB v1 does not).
func upsertCopiesAndEqualities(t *testing.T, ctx context.Context, db *mongo.Database) bool {
	t.Helper()
	probe := db.Collection("probe_upsert_and")
	filter := bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "k", Value: 1}}, bson.D{{Key: "s", Value: "x"}}}}}
	_, err := probe.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "t", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
	require.NoError(t, err)
	raw, err := probe.FindOne(ctx, bson.D{{Key: "t", Value: 1}}).Raw()
	require.NoError(t, err)
	_, err = raw.LookupErr("s")
	return err == nil
}
