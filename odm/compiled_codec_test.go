package odm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
)

// looseDoc has fields the compiled codec leaves to the driver.
type looseDoc struct {
	ID     bson.ObjectID  `bson:"_id,omitempty"`
	Name   string         `bson:"name"`
	Extra  any            `bson:"extra"`
	ByCode map[int]string `bson:"by_code"`
}

func (looseDoc) CollectionName() string { return "loose_docs" }

// The repository says what its compiled codec leaves to the driver, and a
// document with such fields still round-trips as through the driver.
func TestCodecFallbacksNameWhatTheDriverKeeps(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	assert.Empty(t, odm.MustCollection[models.Execution](db).CodecFallbacks(), "every field of a reference model is compiled")

	loose := odm.MustCollection[looseDoc](db)
	fb := loose.CodecFallbacks()
	require.NotEmpty(t, fb)
	var extra, byCode bool
	for _, line := range fb {
		extra = extra || strings.Contains(line, "looseDoc.Extra (interface {})")
		byCode = byCode || strings.Contains(line, "looseDoc.ByCode (map[int]string)")
	}
	assert.True(t, extra, "the interface field: %v", fb)
	assert.True(t, byCode, "the map with int keys: %v", fb)

	doc := looseDoc{Name: "n", Extra: bson.D{{Key: "a", Value: int32(1)}}, ByCode: map[int]string{7: "seven"}}
	_, err := loose.InsertOne(ctx, &doc)
	require.NoError(t, err)
	got, err := loose.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	var viaDriver looseDoc
	require.NoError(t, loose.Driver().FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Decode(&viaDriver))
	assert.Equal(t, viaDriver, *got)
	assert.Equal(t, doc, *got)
}
