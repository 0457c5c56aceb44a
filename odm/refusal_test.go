package odm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// TestRefusalOfTheDeclarationFailsUnderSkipUnsupported: the server
// refuses an index with CannotCreateIndex 67 and mongod's malformed-index
// message; that is a broken declaration, not a missing feature, so Init
// fails naming the index even under SkipUnsupported. A CommandNotSupported
// 115 is a missing feature: under SkipUnsupported the index is skipped and
// Init succeeds. The proxy answers createIndexes as a server would, on
// either server at hand.
func TestRefusalOfTheDeclarationFailsUnderSkipUnsupported(t *testing.T) {
	p := testrig.StartProxy(t)
	c, err := mongo.Connect(options.Client().ApplyURI(p.URI()).SetServerSelectionTimeout(5 * time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	db := testrig.Database(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	p.Refuse("createIndexes", 67, "CannotCreateIndex",
		`Error in specification { key: { order_id: 1 }, name: "order_id_1" } :: caused by :: Can't use more than one index plugin for a single index.`)
	report, err := odm.Init(ctx, db, plainModel{}, odm.SkipUnsupported(), odm.Retries(0, 0))
	require.Error(t, err, "a malformed index is never skipped")
	var ue *outcome.UnsupportedError
	assert.False(t, errors.As(err, &ue), "not read as a missing feature: %v", err)
	var ie *outcome.IndexError
	require.ErrorAs(t, err, &ie)
	assert.Len(t, ie.Indexes, 1, "the index is named alone: %v", err)
	assert.Contains(t, err.Error(), "more than one index plugin")
	var ce mongo.CommandError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, int32(67), ce.Code)
	require.NotNil(t, report)
	assert.Zero(t, report.Count(outcome.Skipped), "nothing reported skipped")

	p.Refuse("createIndexes", 115, "CommandNotSupported", "createIndex.unique is not supported yet")
	report, err = odm.Init(ctx, db, plainModel{}, odm.SkipUnsupported(), odm.Retries(0, 0))
	require.NoError(t, err, "a missing feature is skipped")
	assert.Equal(t, 4, report.Count(outcome.Skipped), "every declared index refused and skipped")
	assert.Zero(t, report.Count(outcome.Created))

	_, err = odm.Init(ctx, db, plainModel{}, odm.Retries(0, 0))
	require.ErrorAs(t, err, &ue, "without SkipUnsupported a missing feature fails Init")

	p.Pass("createIndexes")
	report, err = odm.Init(ctx, db, plainModel{})
	require.NoError(t, err)
	assert.Equal(t, 4, report.Count(outcome.Created), "the real server builds them once let through")
}
