package odm_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

type codecPoint struct {
	X float64 `bson:"x"`
	Y float64 `bson:"y"`
}

// codecModel holds the Go types whose stored form the driver's own codecs
// decide, under a strict validator that refuses what its schema does not
// allow.
type codecModel struct {
	ID    bson.ObjectID   `bson:"_id"`
	S     string          `bson:"s"`
	N     int             `bson:"n"`
	L     int64           `bson:"l"`
	F     float64         `bson:"f"`
	B     bool            `bson:"b"`
	At    time.Time       `bson:"at"`
	Dec   bson.Decimal128 `bson:"dec"`
	URL   url.URL         `bson:"url"`
	Num   json.Number     `bson:"num"`
	Vec   bson.Vector     `bson:"vec"`
	Raw   bson.Raw        `bson:"raw"`
	M     bson.M          `bson:"m"`
	ByInt map[int]string  `bson:"by_int"`
	Bytes []byte          `bson:"bytes"`
	Tags  []string        `bson:"tags"`
	Stamp Stamp           `bson:"stamp"`
	P     *int            `bson:"p"`
	Pt    codecPoint      `bson:"pt"`
}

func (codecModel) Validator() schema.Validator {
	return schema.Validator{Level: schema.LevelStrict, Action: schema.ActionError}
}

// TestGeneratedValidatorAcceptsWhatTheDriverWrites: on the server, a
// collection whose generated validator refuses every mismatch (strict,
// error) takes a document the driver writes for the model, and refuses
// one whose field holds another type.
func TestGeneratedValidatorAcceptsWhatTheDriverWrites(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	report, err := odm.Init(ctx, db, codecModel{}, odm.SkipUnsupported())
	require.NoError(t, err)
	cr, _ := report.Collection("codec_model")
	for _, o := range cr.Options {
		if o.Outcome == outcome.Skipped {
			t.Skipf("%s refuses validators (%s): nothing to insert against", testrig.Server(), o.Reason)
		}
	}
	if !listsValidator(ctx, t, db, "codec_model") {
		t.Skipf("%s keeps no validator: nothing to insert against", testrig.Server())
	}
	u, err := url.Parse("https://example.com/x")
	require.NoError(t, err)
	raw, err := bson.Marshal(bson.D{{Key: "k", Value: 1}})
	require.NoError(t, err)
	doc := codecModel{ID: bson.NewObjectID(), S: "s", N: 1, L: 2, F: 1.5, B: true, At: time.Now(), URL: *u,
		Num: json.Number("12"), Vec: bson.NewVector([]float32{1, 2}), Raw: raw, M: bson.M{"a": 1},
		ByInt: map[int]string{1: "a"}, Bytes: []byte("x"), Tags: []string{"t"}, Stamp: Stamp(time.Now()), Pt: codecPoint{1, 2}}
	_, err = db.Collection("codec_model").InsertOne(ctx, doc)
	require.NoError(t, err, "the validator takes what the driver writes")

	_, err = db.Collection("codec_model").InsertOne(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "url", Value: bson.D{{Key: "host", Value: "x"}}}})
	require.Error(t, err, "a url stored as a document is refused: the validator is in force")
}

// listsValidator reports whether the server lists a validator on the
// collection: what it keeps, whatever Init's report says it sent.
func listsValidator(ctx context.Context, t *testing.T, db *mongo.Database, collection string) bool {
	t.Helper()
	specs, err := db.ListCollectionSpecifications(ctx, bson.D{{Key: "name", Value: collection}})
	require.NoError(t, err)
	require.Len(t, specs, 1)
	_, err = specs[0].Options.LookupErr("validator")
	return err == nil
}
