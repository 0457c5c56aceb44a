package odm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
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
			var pe *query.PathError
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

// TestEventsPathCheckStrict: the events models keep the event types' own
// fields in an inline map and declare them as ExtraPaths, so a typo beside
// the envelope is refused, with the nearest field or extra path, before
// any command, and every declared extra field (and what lies below it)
// passes. No server is needed: the client never connects, and a call the
// check passes meets a cancelled context.
func TestEventsPathCheckStrict(t *testing.T) {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1"))
	require.NoError(t, err)
	db := client.Database("offline")
	events := odm.MustCollection[models.Event](db)
	archive := odm.MustCollection[models.ArchivedEvent](db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := func(k string, v any) bson.D { return bson.D{{Key: k, Value: v}} }
	type call func(key string) error
	calls := map[string]call{
		"count filter": func(k string) error { _, err := events.CountDocuments(ctx, d(k, "x")); return err },
		"find filter under $or": func(k string) error {
			_, err := events.Find(ctx, d("$or", bson.A{d("event_type", "x"), d(k, d("$exists", true))}))
			return err
		},
		"find sort": func(k string) error {
			_, err := events.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: k, Value: -1}, {Key: "_id", Value: 1}}))
			return err
		},
		"find projection": func(k string) error {
			_, err := events.Find(ctx, bson.D{}, options.Find().SetProjection(d(k, 1)))
			return err
		},
		"update $set": func(k string) error {
			_, err := events.UpdateOne(ctx, d("event_id", "e1"), d("$set", d(k, true)))
			return err
		},
		"update $unset": func(k string) error {
			_, err := events.UpdateMany(ctx, d("event_id", "e1"), d("$unset", d(k, "")))
			return err
		},
		"distinct":       func(k string) error { _, err := odm.Distinct[string](ctx, events, k, bson.D{}); return err },
		"archive filter": func(k string) error { _, err := archive.FindOne(ctx, d(k, "x")); return err },
		"archive sort": func(k string) error {
			_, err := archive.Find(ctx, bson.D{}, options.Find().SetSort(d(k, 1)))
			return err
		},
	}
	refused := []struct{ key, nearest string }{
		{"evnet_type", "event_type"},
		{"pubish_failed", ""},
		{"timestmp", "timestamp"},
		{"pod_nmae", "pod_name"},
		{"exit_cod", "exit_code"},
		{"resource_usag.peak_memory_kb", "resource_usage"},
		{"metadata.usr_id", "metadata.user_id"},
		{"no_such_field_at_all", ""},
	}
	passing := []string{
		"event_type", "timestamp", "metadata.user_id", "execution_id", "_id",
		"pod_name", "exit_code", "user_id", "resource_usage.peak_memory_kb", "container_statuses.0.name",
	}
	for name, c := range calls {
		t.Run(name, func(t *testing.T) {
			for _, r := range refused {
				err := c(r.key)
				var pe *query.PathError
				require.ErrorAs(t, err, &pe, r.key)
				assert.Equal(t, r.key, pe.Path)
				assert.Equal(t, r.nearest, pe.Nearest, r.key)
				assert.Contains(t, []string{"models.Event", "models.ArchivedEvent"}, pe.GoType)
			}
			for _, k := range passing {
				err := c(k)
				var pe *query.PathError
				assert.False(t, errors.As(err, &pe), "%s: %v", k, err)
				assert.ErrorIs(t, err, context.Canceled, k)
			}
		})
	}
	for _, k := range []string{"deleted_at", "deleted_by", "deletion_reason"} {
		_, err := archive.FindOne(ctx, d(k, "x"))
		assert.ErrorIs(t, err, context.Canceled, "the archive's own field %s", k)
	}

	_, err = events.CountDocuments(ctx, d("evnet_type", "pod_created"))
	assert.EqualError(t, err, "odm: count on events: filter: evnet_type: no such field in models.Event or its ExtraPaths; did you mean event_type?")
	_, err = events.UpdateOne(ctx, d("event_id", "e1"), d("$set", d("pubish_failed", true)))
	assert.ErrorContains(t, err, "odm: update on events: update: pubish_failed: no such field in models.Event or its ExtraPaths")
	_, err = events.Find(ctx, bson.D{}, options.Find().SetSort(d("timestmp", -1)))
	assert.EqualError(t, err, "odm: find on events: sort: timestmp: no such field in models.Event or its ExtraPaths; did you mean timestamp?")
}
