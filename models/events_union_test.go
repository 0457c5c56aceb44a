package models_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// TestEventUnionsAreSound: both unions declare their variants without a
// problem, every event type once.
func TestEventUnionsAreSound(t *testing.T) {
	require.NoError(t, models.Events.Err())
	require.NoError(t, models.ArchivedEvents.Err())
	assert.Len(t, models.Events.All(), len(models.EventTypes()), "Events: one variant per event type")
	assert.Len(t, models.ArchivedEvents.All(), len(models.EventTypes()), "ArchivedEvents: one variant per event type")
}

// eventFamily is the family of an event type, by the file that declares
// it in the reference's order: every family must be read back.
func eventFamily(eventType string) string {
	for _, f := range []struct{ prefix, family string }{
		{"execution_", "execution"}, {"pod_", "pod"}, {"result_", "result"}, {"user_", "user"},
		{"notification_", "notification"}, {"saga_", "saga"}, {"script_", "script"}, {"dlq_", "dlq"},
		{"create_pod_command", "saga command"}, {"delete_pod_command", "saga command"},
		{"allocate_resources_command", "saga command"}, {"release_resources_command", "saga command"},
		{"security_violation", "security"}, {"rate_limit_exceeded", "security"}, {"auth_failed", "security"},
		{"resource_limit_exceeded", "resource"}, {"quota_exceeded", "resource"},
		{"system_error", "system"}, {"service_", "system"},
	} {
		if len(eventType) >= len(f.prefix) && eventType[:len(f.prefix)] == f.prefix {
			return f.family
		}
	}
	return ""
}

// storedRaw is the document of an _id as the server holds it.
func storedRaw(ctx context.Context, t *testing.T, coll *mongo.Collection, id any) bson.Raw {
	t.Helper()
	raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	require.NoError(t, err)
	return raw
}

// TestEventsUnionRoundTripsPythonDocuments: every event type's document
// in the Python form (nullable fields null and lists empty, then every
// field set), inserted with the bare driver, reads back through the
// Events union as a pointer to its own Go type, with the document's
// fields, and written back with the union's ReplaceByID leaves the stored
// document as Python wrote it. Every family of event types is covered.
func TestEventsUnionRoundTripsPythonDocuments(t *testing.T) {
	ref := loadRefEvents(t)
	types := models.EventTypes()
	db := testrig.Database(t, nil)
	events, err := odm.NewUnionCollection(db, models.Events)
	require.NoError(t, err)
	coll := db.Collection("events")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	families := map[string]int{}
	for i, ev := range ref.events {
		families[eventFamily(ev.eventType)]++
		for _, full := range []bool{false, true} {
			msg := fmt.Sprintf("%s (full: %v)", ev.class, full)
			doc := ref.pyDoc(ev, full)
			id := doc[0].Value
			_, err := coll.InsertOne(ctx, doc)
			require.NoError(t, err, msg)
			py := storedRaw(ctx, t, coll, id)
			got, err := events.FindOne(ctx, bson.D{{Key: "_id", Value: id}})
			require.NoError(t, err, msg)
			require.Equal(t, reflect.PointerTo(reflect.TypeOf(types[i])), reflect.TypeOf(got), msg)
			b := got.Base()
			assert.Equal(t, id, b.ID, msg)
			assert.Equal(t, models.EventType(ev.eventType), b.EventType, msg)
			assert.Equal(t, "py-event_id-0", b.EventID, msg)
			assert.Equal(t, "py-service_name-0", b.Metadata.ServiceName, msg)
			res, err := events.ReplaceByID(ctx, got)
			require.NoError(t, err, msg)
			require.Equal(t, int64(1), res.MatchedCount, msg)
			assertSameEvent(t, py, storedRaw(ctx, t, coll, id), msg+": written back through Events")
		}
	}
	assert.Len(t, families, 12, "execution, pod, result, user, notification, saga, saga command, script, security, resource, system, dlq: %v", families)
	assert.NotContains(t, families, "", "an event type of no family")
	all, err := events.Find(ctx, bson.D{})
	require.NoError(t, err)
	require.Len(t, all, 2*len(ref.events))
	byType := map[reflect.Type]int{}
	for _, e := range all {
		byType[reflect.TypeOf(e)]++
		assert.Equal(t, e.Variant(), string(e.Base().EventType), "%T", e)
	}
	assert.Len(t, byType, len(types), "Find reads each event type as its own")
}

// unknownEventDoc is an event of a type no Go type declares, with fields
// of its own and a base field of an unexpected type.
func unknownEventDoc(eventType any) bson.D {
	doc := bson.D{
		{Key: "_id", Value: bson.NewObjectID()},
		{Key: "event_id", Value: "ev-unknown"},
		{Key: "event_version", Value: "2.0"},
		{Key: "timestamp", Value: bson.NewDateTimeFromTime(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))},
		{Key: "aggregate_id", Value: int64(42)}, // not a string: left zero by Base
		{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "newer"}, {Key: "service_version", Value: "9"}}},
		{Key: "pod_name", Value: "p1"},
		{Key: "eviction", Value: bson.D{{Key: "grace", Value: int32(30)}, {Key: "at", Value: 1.5}}},
	}
	if eventType != nil {
		doc = append(doc[:1], append(bson.D{{Key: "event_type", Value: eventType}}, doc[1:]...)...)
	}
	return doc
}

// TestEventsUnionKeepsUnknownEvents: a document whose event_type names no
// event type (or that has none, or not a string) reads back as an
// *UnknownEvent whose Base decodes the base fields it can, and written
// back through the union (Base changed or not) is stored byte for byte as
// it was.
func TestEventsUnionKeepsUnknownEvents(t *testing.T) {
	db := testrig.Database(t, nil)
	events, err := odm.NewUnionCollection(db, models.Events)
	require.NoError(t, err)
	coll := db.Collection("events")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, eventType := range []any{"pod_evicted", nil, int32(7)} {
		msg := fmt.Sprintf("event_type %v", eventType)
		doc := unknownEventDoc(eventType)
		id := doc[0].Value
		_, err := coll.InsertOne(ctx, doc)
		require.NoError(t, err, msg)
		before := storedRaw(ctx, t, coll, id)
		got, err := events.FindOne(ctx, bson.D{{Key: "_id", Value: id}})
		require.NoError(t, err, msg)
		u, ok := got.(*models.UnknownEvent)
		require.True(t, ok, "%s: read as %T", msg, got)
		assert.True(t, bytes.Equal(before, u.Raw), "%s: Raw is the document as stored", msg)
		if s, isString := eventType.(string); isString {
			assert.Equal(t, s, u.Variant(), msg)
		} else {
			assert.Empty(t, u.Variant(), msg)
		}
		b := u.Base()
		assert.Same(t, b, u.Base(), "%s: decoded once", msg)
		assert.Equal(t, "ev-unknown", b.EventID, msg)
		assert.Equal(t, "2.0", b.EventVersion, msg)
		assert.Equal(t, "newer", b.Metadata.ServiceName, msg)
		assert.Nil(t, b.AggregateID, "%s: an int64 aggregate_id is left zero", msg)
		b.EventID = "changed"
		res, err := events.ReplaceByID(ctx, got)
		require.NoError(t, err, msg)
		require.Equal(t, int64(1), res.MatchedCount, msg)
		assert.True(t, bytes.Equal(before, storedRaw(ctx, t, coll, id)), "%s: written back byte for byte, Base's change not written", msg)
	}
}

// archivedDoc is an event's Python document as the archive stores it: the
// event, then the deletion's fields (deleted_by once, the event's own
// where it has one).
func archivedDoc(ref refEvents, ev refEvent, full bool) bson.D {
	doc := ref.pyDoc(ev, full)
	doc = append(doc, bson.E{Key: "deleted_at", Value: bson.NewDateTimeFromTime(time.Date(2026, 4, 5, 6, 7, 8, 9_000_000, time.UTC))})
	own := false
	for _, f := range ev.fields {
		own = own || f.name == "deleted_by"
	}
	if !own {
		doc = append(doc, bson.E{Key: "deleted_by", Value: "admin"})
	}
	return append(doc, bson.E{Key: "deletion_reason", Value: nil})
}

// TestArchivedEventsRoundTripPythonDocuments: archived events of the pod
// and user families (UserDeletedEvent among them, whose deleted_by is the
// archive's too) read back through ArchivedEvents as their own archived
// types and are written back unchanged; an archived event of an unknown
// type is kept byte for byte.
func TestArchivedEventsRoundTripPythonDocuments(t *testing.T) {
	ref := loadRefEvents(t)
	db := testrig.Database(t, nil)
	archive, err := odm.NewUnionCollection(db, models.ArchivedEvents)
	require.NoError(t, err)
	coll := db.Collection("events_archive")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want := map[string]reflect.Type{
		"PodFailedEvent":   reflect.TypeFor[*models.Archived[models.PodFailedEvent]](),
		"PodRunningEvent":  reflect.TypeFor[*models.Archived[models.PodRunningEvent]](),
		"UserLoginEvent":   reflect.TypeFor[*models.Archived[models.UserLoginEvent]](),
		"UserDeletedEvent": reflect.TypeFor[*models.ArchivedUserDeletedEvent](),
	}
	seen := 0
	for _, ev := range ref.events {
		typ, ok := want[ev.class]
		if !ok {
			continue
		}
		seen++
		for _, full := range []bool{false, true} {
			msg := fmt.Sprintf("archived %s (full: %v)", ev.class, full)
			doc := archivedDoc(ref, ev, full)
			id := doc[0].Value
			_, err := coll.InsertOne(ctx, doc)
			require.NoError(t, err, msg)
			py := storedRaw(ctx, t, coll, id)
			got, err := archive.FindOne(ctx, bson.D{{Key: "_id", Value: id}})
			require.NoError(t, err, msg)
			require.Equal(t, typ, reflect.TypeOf(got), msg)
			assert.Equal(t, ev.eventType, got.Variant(), msg)
			assert.Equal(t, "py-event_id-0", got.Domain().Base().EventID, msg)
			del := got.Deletion()
			assert.Equal(t, time.Date(2026, 4, 5, 6, 7, 8, 9_000_000, time.UTC), del.DeletedAt.UTC(), msg)
			assert.Nil(t, del.DeletionReason, msg)
			if ev.class == "UserDeletedEvent" {
				assert.Equal(t, got.Domain().(*models.UserDeletedEvent).DeletedBy, del.DeletedBy, "%s: deleted_by is the event's", msg)
			} else if assert.NotNil(t, del.DeletedBy, msg) {
				assert.Equal(t, "admin", *del.DeletedBy, msg)
			}
			res, err := archive.ReplaceByID(ctx, got)
			require.NoError(t, err, msg)
			require.Equal(t, int64(1), res.MatchedCount, msg)
			assertSameEvent(t, py, storedRaw(ctx, t, coll, id), msg+": written back through ArchivedEvents")
		}
	}
	require.Equal(t, len(want), seen)

	doc := append(unknownEventDoc("pod_evicted"), bson.E{Key: "deleted_at", Value: bson.NewDateTimeFromTime(time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC))}, bson.E{Key: "deleted_by", Value: 5})
	_, err = coll.InsertOne(ctx, doc)
	require.NoError(t, err)
	before := storedRaw(ctx, t, coll, doc[0].Value)
	got, err := archive.FindOne(ctx, bson.D{{Key: "_id", Value: doc[0].Value}})
	require.NoError(t, err)
	u, ok := got.(*models.UnknownArchivedEvent)
	require.True(t, ok, "read as %T", got)
	assert.Equal(t, "pod_evicted", u.Variant())
	assert.Equal(t, "ev-unknown", u.Domain().Base().EventID)
	assert.Equal(t, time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC), u.Deletion().DeletedAt.UTC())
	assert.Nil(t, u.Deletion().DeletedBy, "an int deleted_by is left zero")
	_, err = archive.ReplaceByID(ctx, got)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, storedRaw(ctx, t, coll, doc[0].Value)), "an unknown archived event is written back byte for byte")
}

// TestEventsUnionPathCheck: the union's queries are checked against every
// event type's fields, strictly (no inline map holds a typo): a misspelt
// key is a *query.PathError before any command, an own field of some
// event types and a typed reference to one are accepted.
func TestEventsUnionPathCheck(t *testing.T) {
	db := testrig.Database(t, nil)
	events, err := odm.NewUnionCollection(db, models.Events)
	require.NoError(t, err)
	archive, err := odm.NewUnionCollection(db, models.ArchivedEvents)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = events.Find(ctx, bson.D{{Key: "pod_nmae", Value: "p1"}})
	var pe *query.PathError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "pod_nmae", pe.Path)
	assert.Equal(t, "pod_name", pe.Nearest)
	assert.Contains(t, pe.GoType, "models.DomainEvent")
	_, err = events.Find(ctx, bson.D{{Key: "metadata.servce_name", Value: "api"}})
	require.ErrorAs(t, err, &pe)
	_, err = archive.Find(ctx, bson.D{{Key: "deleted_att", Value: nil}})
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "deleted_at", pe.Nearest)

	for _, ok := range []any{
		bson.D{{Key: "pod_name", Value: "p1"}, {Key: "execution_id", Value: nil}, {Key: "metadata.service_name", Value: "api"}},
		bson.D{{Key: "window_seconds", Value: 60}, {Key: "container_statuses.restart_count", Value: 1}},
		query.Eq(query.F(func(e *models.PodCreatedEvent) *string { return &e.PodName }), "p1"),
	} {
		_, err := events.Find(ctx, ok)
		assert.NoError(t, err, "%v", ok)
	}
	_, err = archive.Find(ctx, bson.D{{Key: "deleted_by", Value: "admin"}, {Key: "pod_name", Value: "p1"}})
	assert.NoError(t, err)
}
