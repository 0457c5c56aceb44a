package schema_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
)

// price is written as a string by the codecs of the models below; the
// driver's default registry writes it as a document.
type price struct {
	Cents    int64
	Currency string
}

// blank is written as null when zero by its codec, a string otherwise.
type blank struct{ Text string }

func priceRegistry() *bson.Registry {
	reg := bson.NewRegistry()
	reg.RegisterTypeEncoder(reflect.TypeFor[price](), bson.ValueEncoderFunc(
		func(_ bson.EncodeContext, vw bson.ValueWriter, v reflect.Value) error {
			p := v.Interface().(price)
			return vw.WriteString(fmt.Sprintf("%d %s", p.Cents, p.Currency))
		}))
	reg.RegisterTypeEncoder(reflect.TypeFor[blank](), bson.ValueEncoderFunc(
		func(_ bson.EncodeContext, vw bson.ValueWriter, v reflect.Value) error {
			if b := v.Interface().(blank); b.Text != "" {
				return vw.WriteString(b.Text)
			}
			return vw.WriteNull()
		}))
	return reg
}

var priceCodecs = priceRegistry()

type pricedOrder struct {
	Total    price  `bson:"total"`
	Discount *price `bson:"discount"`
	Note     blank  `bson:"note"`
	Count    int64  `bson:"count"`
}

func (pricedOrder) Codecs() *bson.Registry { return priceCodecs }

// pricedOrderDefault is pricedOrder without codecs of its own.
type pricedOrderDefault struct {
	Total price `bson:"total"`
}

// TestGeneratedSchemaFollowsTheModelsCodecs: a field whose type the
// model's registry writes differently from the driver's default takes the
// registry's BSON type; a codec that writes null for the zero value says
// nothing of the others, so the field takes any type; other fields are
// as the default registry writes them.
func TestGeneratedSchemaFollowsTheModelsCodecs(t *testing.T) {
	got, err := schema.GenerateSchema(pricedOrder{})
	require.NoError(t, err)
	props := bson.Raw(mustMarshal(t, got)).Lookup("properties")
	assert.Equal(t, "string", props.Document().Lookup("total", "bsonType").StringValue())
	discount, err := props.Document().Lookup("discount", "bsonType").Array().Values()
	require.NoError(t, err)
	require.Len(t, discount, 2)
	assert.Equal(t, "string", discount[0].StringValue())
	assert.Equal(t, "null", discount[1].StringValue())
	_, typed := props.Document().Lookup("note").Document().LookupErr("bsonType")
	assert.Error(t, typed, "a codec writing null for zero leaves the type open")
	assert.Equal(t, "long", props.Document().Lookup("count", "bsonType").StringValue())

	def, err := schema.GenerateSchema(pricedOrderDefault{})
	require.NoError(t, err)
	assert.Equal(t, "object", bson.Raw(mustMarshal(t, def)).Lookup("properties", "total", "bsonType").StringValue())
}

func mustMarshal(t *testing.T, d bson.D) []byte {
	t.Helper()
	raw, err := bson.Marshal(d)
	require.NoError(t, err)
	return raw
}

// TestModelRecordsItsCodecs: Describe keeps the registry for the
// repositories.
func TestModelRecordsItsCodecs(t *testing.T) {
	m, err := schema.Describe(pricedOrder{})
	require.NoError(t, err)
	assert.Same(t, priceCodecs, m.Codecs)
	m, err = schema.Describe(pricedOrderDefault{})
	require.NoError(t, err)
	assert.Nil(t, m.Codecs)
}
