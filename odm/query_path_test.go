package odm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
)

// TestPathCheckBeforeAnyCommand: every repository call given a key its
// model does not have fails with a *PathError naming the path, the Go type
// and the nearest field, and sends nothing to the server.
func TestPathCheckBeforeAnyCommand(t *testing.T) {
	ctx := context.Background()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	notes := odm.MustCollection[models.Notification](db)
	typo := bson.D{{Key: "stauts", Value: "pending"}}
	good := bson.D{{Key: "status", Value: "pending"}}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "sent"}}}}
	calls := map[string]func() error{
		"FindOne": func() error { _, err := notes.FindOne(ctx, typo); return err },
		"FindOne sort": func() error {
			_, err := notes.FindOne(ctx, good, options.FindOne().SetSort(bson.D{{Key: "stauts", Value: 1}}))
			return err
		},
		"Find": func() error { _, err := notes.Find(ctx, typo); return err },
		"Find projection": func() error {
			_, err := notes.Find(ctx, good, options.Find().SetProjection(bson.D{{Key: "stauts", Value: 1}}))
			return err
		},
		"Iter":             func() error { _, err := notes.Iter(ctx, typo); return err },
		"All":              func() error { _, err := first(notes.All(ctx, typo)); return err },
		"CountDocuments":   func() error { _, err := notes.CountDocuments(ctx, typo); return err },
		"Distinct":         func() error { _, err := odm.Distinct[string](ctx, notes, "stauts", good); return err },
		"DeleteOne":        func() error { _, err := notes.DeleteOne(ctx, typo); return err },
		"DeleteMany":       func() error { _, err := notes.DeleteMany(ctx, typo); return err },
		"FindOneAndDelete": func() error { _, err := notes.FindOneAndDelete(ctx, typo); return err },
		"UpdateOne":        func() error { _, err := notes.UpdateOne(ctx, typo, set); return err },
		"UpdateOne update": func() error {
			_, err := notes.UpdateOne(ctx, good, bson.D{{Key: "$set", Value: bson.D{{Key: "stauts", Value: "x"}}}})
			return err
		},
		"UpdateMany":       func() error { _, err := notes.UpdateMany(ctx, typo, set); return err },
		"FindOneAndUpdate": func() error { _, err := notes.FindOneAndUpdate(ctx, typo, set); return err },
		"FindOneAndUpdate sort": func() error {
			_, err := notes.FindOneAndUpdate(ctx, good, set, options.FindOneAndUpdate().SetSort(bson.D{{Key: "stauts", Value: 1}}))
			return err
		},
		"ReplaceOne":        func() error { _, err := notes.ReplaceOne(ctx, typo, &models.Notification{}); return err },
		"FindOneAndReplace": func() error { _, err := notes.FindOneAndReplace(ctx, typo, &models.Notification{}); return err },
		"Modify": func() error {
			_, err := notes.Modify(ctx, typo, func(*models.Notification) error { return nil })
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			rec.Reset()
			err := call()
			var pe *odm.PathError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "stauts", pe.Path)
			assert.Equal(t, "models.Notification", pe.GoType)
			assert.Equal(t, "status", pe.Nearest)
			assert.Contains(t, err.Error(), "stauts: no such field in models.Notification; did you mean status?")
			assert.Empty(t, rec.Commands(), "nothing reaches the server")
		})
	}
}

func first[T any](seq func(func(T, error) bool)) (T, error) {
	var zero T
	for v, err := range seq {
		return v, err
	}
	return zero, nil
}

// TestNilFilterReadsEverything: a nil filter, of any document type, is
// every document on every read, and refused on writes.
func TestNilFilterReadsEverything(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	members := odm.MustCollection[member](db)
	_, err := members.InsertMany(ctx, []member{{Email: "a@x", Team: "a"}, {Email: "b@x", Team: "b"}})
	require.NoError(t, err)
	for _, f := range []any{nil, bson.D(nil), bson.M(nil)} {
		all, err := members.Find(ctx, f)
		require.NoError(t, err, "%T", f)
		assert.Len(t, all, 2, "Find %T", f)
		n, err := members.CountDocuments(ctx, f)
		require.NoError(t, err)
		assert.Equal(t, int64(2), n, "CountDocuments %T", f)
		one, err := members.FindOne(ctx, f)
		require.NoError(t, err)
		assert.NotNil(t, one, "FindOne %T", f)
		teams, err := odm.Distinct[string](ctx, members, "team", f)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"a", "b"}, teams)
		k := 0
		for _, err := range members.All(ctx, f) {
			require.NoError(t, err)
			k++
		}
		assert.Equal(t, 2, k, "All %T", f)
		_, err = members.DeleteMany(ctx, f)
		assert.ErrorContains(t, err, "the filter is nil; pass bson.D{} to match every document")
	}
	n, err := members.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "no write ran with a nil filter")
}
