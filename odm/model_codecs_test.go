package odm_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// tariff is stored as a string ("1250 EUR") by tariffed's own codecs; the
// driver's default registry would store a document.
type tariff struct {
	Cents    int64
	Currency string
}

var tariffCodecs = func() *bson.Registry {
	reg := bson.NewRegistry()
	t := reflect.TypeFor[tariff]()
	reg.RegisterTypeEncoder(t, bson.ValueEncoderFunc(func(_ bson.EncodeContext, vw bson.ValueWriter, v reflect.Value) error {
		p := v.Interface().(tariff)
		return vw.WriteString(fmt.Sprintf("%d %s", p.Cents, p.Currency))
	}))
	reg.RegisterTypeDecoder(t, bson.ValueDecoderFunc(func(_ bson.DecodeContext, vr bson.ValueReader, v reflect.Value) error {
		s, err := vr.ReadString()
		if err != nil {
			return err
		}
		var p tariff
		if _, err := fmt.Sscanf(s, "%d %s", &p.Cents, &p.Currency); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(p))
		return nil
	}))
	return reg
}()

type tariffed struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Price tariff        `bson:"price"`
	Name  string        `bson:"name"`
}

func (tariffed) CollectionName() string { return "tariffed" }
func (tariffed) Codecs() *bson.Registry { return tariffCodecs }
func (tariffed) Validator() schema.Validator {
	return schema.Validator{Level: schema.LevelStrict, Action: schema.ActionError}
}

// TestModelCodecsWriteAndValidateAlike: a model's own registry is the one
// every write of its repository encodes with (the insert the driver
// encodes, the replacement and the update the repository encodes) and
// the one its reads decode with; and the validator Init generates for it
// takes the field's BSON type from the same registry, so it accepts what
// the repository writes and refuses the document form the default
// registry would write.
func TestModelCodecsWriteAndValidateAlike(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := odm.Init(ctx, db, tariffed{}, odm.SkipUnsupported())
	require.NoError(t, err)
	validated := listsValidator(ctx, t, db, "tariffed")
	repo, err := odm.NewCollection[tariffed](db)
	require.NoError(t, err)
	stored := func(id bson.ObjectID) string { // the string, else the value as extended JSON
		raw, err := db.Collection("tariffed").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		require.NoError(t, err)
		if s, ok := raw.Lookup("price").StringValueOK(); ok {
			return s
		}
		return raw.Lookup("price").String()
	}

	doc := &tariffed{Price: tariff{1250, "EUR"}, Name: "a"}
	_, err = repo.InsertOne(ctx, doc)
	require.NoError(t, err)
	assert.Equal(t, "1250 EUR", stored(doc.ID), "insert")
	doc.Price = tariff{999, "USD"}
	_, err = repo.ReplaceByID(ctx, doc)
	require.NoError(t, err)
	assert.Equal(t, "999 USD", stored(doc.ID), "replace")
	_, err = repo.UpdateByID(ctx, doc.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "price", Value: tariff{1, "GBP"}}}}})
	require.NoError(t, err)
	assert.Equal(t, "1 GBP", stored(doc.ID), "update")
	got, err := repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.Equal(t, tariff{1, "GBP"}, got.Price, "read")

	if !validated {
		t.Skipf("%s does not keep validators: that the validator accepts these writes was not shown", testrig.Server())
	}
	_, err = db.Collection("tariffed").InsertOne(ctx, bson.D{{Key: "price", Value: bson.D{{Key: "cents", Value: 1}}}, {Key: "name", Value: "b"}})
	require.Error(t, err, "the validator takes price as a string, not the default registry's document")
}
