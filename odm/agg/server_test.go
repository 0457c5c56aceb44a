package agg_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/agg"
)

// TestMain starts the server first when examples run, so that the line
// the server's start prints is not read as an example's output.
func TestMain(m *testing.M) {
	flag.Parse()
	if run := flag.Lookup("test.run").Value.String(); run == "" || strings.Contains(run, "Example") {
		testrig.Client()
	}
	testrig.Main(m)
}

// base is the fixtures' first instant.
var base = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var (
	dlqTopics   = []string{"execution-events", "execution-events", "execution-events", "pod-events", "pod-events", "saga-events"}
	dlqStatuses = []string{"pending", "scheduled", "retried", "discarded"}
)

// dlqFixture is 18 messages over three topics (9, 6 and 3 of them),
// four statuses and retry counts 0 to 4.
func dlqFixture() []models.DLQMessage {
	var out []models.DLQMessage
	for i := range 18 {
		out = append(out, models.DLQMessage{
			Event:         models.FailedEvent{EventID: fmt.Sprintf("ev-%02d", i), EventType: "execution_failed"},
			OriginalTopic: dlqTopics[i%len(dlqTopics)],
			Status:        dlqStatuses[i%len(dlqStatuses)],
			RetryCount:    i % 5,
			FailedAt:      base.Add(time.Duration(i*37) * time.Minute),
		})
	}
	return out
}

var (
	eventTypes    = []string{"execution_requested", "execution_started", "execution_completed", "execution_requested", "pod_created"}
	eventServices = []string{"api", "worker", "worker"}
)

// eventFixture is 30 events 13 minutes apart, of five types and three
// services; every fourth belongs to the aggregate "exec-1", and every
// fifth names it as its execution.
func eventFixture() []models.Event {
	var out []models.Event
	for i := range 30 {
		e := models.Event{}
		e.EventID = fmt.Sprintf("e-%02d", i)
		e.EventType = models.EventType(eventTypes[i%len(eventTypes)])
		e.EventVersion = "1.0"
		e.Timestamp = base.Add(time.Duration(i*13) * time.Minute)
		e.Metadata = models.EventMetadata{ServiceName: eventServices[i%len(eventServices)], ServiceVersion: "1", UserID: "u1"}
		if i%4 == 0 {
			e.AggregateID = ptr("exec-1")
		}
		if i%5 == 0 {
			e.ExecutionID = ptr("exec-1")
		}
		out = append(out, e)
	}
	return out
}

// sagaFixture is 12 sagas, 9 of them named "execution_saga", in four
// states; every completed saga but one has its completion time.
func sagaFixture() []models.Saga {
	states := []string{"completed", "failed", "running", "completed"}
	var out []models.Saga
	for i := range 12 {
		s := models.Saga{
			SagaID:      fmt.Sprintf("s-%02d", i),
			SagaName:    "execution_saga",
			ExecutionID: fmt.Sprintf("x-%02d", i),
			State:       states[i%len(states)],
			CreatedAt:   base.Add(time.Duration(i) * time.Hour),
		}
		if i%4 == 3 {
			s.SagaName = "other_saga"
		}
		if s.State == "completed" && i != 4 {
			s.CompletedAt = ptr(s.CreatedAt.Add(time.Duration(i+1) * 90 * time.Second))
		}
		out = append(out, s)
	}
	return out
}

func ptr[V any](v V) *V { return &v }

// seeded is a collection of a fresh database holding docs.
func seeded[T any](t *testing.T, docs []T) *odm.Collection[T] {
	t.Helper()
	return seededIn(t, testrig.Database(t, nil), docs)
}

// seededIn is T's collection of db holding docs.
func seededIn[T any](t *testing.T, db *mongo.Database, docs []T) *odm.Collection[T] {
	t.Helper()
	c := odm.MustCollection[T](db)
	_, err := c.InsertMany(context.Background(), docs)
	require.NoError(t, err)
	return c
}

// unsupported is a server's refusal of a stage, an operator or an
// accumulator it does not implement: NotImplemented (238),
// InvalidPipelineOperator (168), an unrecognized stage (40324), an
// unknown group operator (15952) or expression operator (31325).
func unsupported(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	return slices.ContainsFunc([]int{238, 168, 40324, 15952, 31325}, se.HasErrorCode)
}

// sameOnServer runs the raw pipeline the reference service sends and the
// typed one on c, and returns the typed results after checking they are
// the raw ones. A server that refuses the raw pipeline as not
// implemented skips the test, naming what it lacks.
func sameOnServer[T, R any](t *testing.T, c *odm.Collection[T], typed agg.Pipeline[T, R], raw bson.A) []R {
	t.Helper()
	ctx := context.Background()
	want, err := odm.Aggregate[R](ctx, c, raw)
	if unsupported(err) {
		t.Skipf("%s does not implement a stage or operator of this pipeline: %v", testrig.Server(), err)
	}
	require.NoError(t, err)
	got, err := odm.RunPipeline(ctx, c, typed)
	require.NoError(t, err)
	require.NotEmpty(t, got, "the fixture gives every pipeline results")
	assert.Equal(t, want, got)
	return got
}
