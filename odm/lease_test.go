package odm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// TestExpiredLeaseIsTakenOver: a lease left past its expiry by a process
// that died is taken over, whatever its document holds (here no owner),
// and the destructive step runs; a live one is waited for.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	for _, tt := range []struct {
		name    string
		lease   bson.D
		dropped bool
	}{
		{name: "expired, no owner", lease: bson.D{{Key: "_id", Value: "steady_b"}, {Key: "expires", Value: time.Now().Add(-time.Minute)}}, dropped: true},
		{name: "expired", lease: bson.D{{Key: "_id", Value: "steady_b"}, {Key: "owner", Value: "gone"}, {Key: "expires", Value: time.Now().Add(-time.Minute)}}, dropped: true},
		{name: "live", lease: bson.D{{Key: "_id", Value: "steady_b"}, {Key: "owner", Value: "other"}, {Key: "expires", Value: time.Now().Add(time.Minute)}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := testrig.Database(t, testrig.Client())
			ctx := context.Background()
			_, err := odm.Init(ctx, db, steadyB{})
			require.NoError(t, err)
			createIndex(t, db, "steady_b", bson.D{{Key: "extra", Value: 1}}, nil)
			_, err = db.Collection(odm.LeaseCollection).InsertOne(ctx, tt.lease)
			require.NoError(t, err)

			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			report, err := odm.Init(ctx, db, steadyB{}, odm.DropUndeclared())
			_, listed := testrig.ListIndexes(t, db.Name(), "steady_b")["extra_1"]
			if !tt.dropped {
				require.ErrorIs(t, err, context.DeadlineExceeded)
				assert.True(t, listed, "dropped under another process's lease")
				return
			}
			require.NoError(t, err)
			cr, _ := report.Collection("steady_b")
			assert.Equal(t, []string{"extra_1"}, cr.Names(outcome.Dropped))
			assert.False(t, listed)
			n, err := db.Collection(odm.LeaseCollection).CountDocuments(context.Background(), bson.D{})
			require.NoError(t, err)
			assert.Zero(t, n, "the lease is released")
		})
	}
}
