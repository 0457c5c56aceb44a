package agg_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// exampleCollection is T's collection in a fresh database of the test
// server holding docs, and the function that drops the database.
func exampleCollection[T any](docs []T) (*odm.Collection[T], func()) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	db := testrig.Client().Database("agg_example_" + hex.EncodeToString(b))
	c := odm.MustCollection[T](db)
	if _, err := c.InsertMany(context.Background(), docs); err != nil {
		log.Fatal(err)
	}
	return c, func() { _ = db.Drop(context.Background()) }
}

// Example_dlqStatistics counts the active messages of each DLQ topic
// (the reference service's queue sizes), largest first: a typed $match
// and $group, a $sort on the group's output.
func Example_dlqStatistics() {
	dlq, drop := exampleCollection(dlqFixture())
	defer drop()

	p := dlqQueueSizes().SortBy(query.ByDesc(qsCount), query.By(query.F(func(q *queueSize) *string { return &q.Topic })))
	sizes, err := odm.RunPipeline(context.Background(), dlq, p)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range sizes {
		fmt.Println(s.Topic, s.Count)
	}
	// Output:
	// execution-events 5
	// pod-events 3
	// saga-events 2
}

// Example_sagaStatistics counts the sagas of one name by state.
func Example_sagaStatistics() {
	sagas, drop := exampleCollection(sagaFixture())
	defer drop()

	p := sagasByState("execution_saga").SortBy(query.By(query.F(func(s *stateCount) *string { return &s.State })))
	states, err := odm.RunPipeline(context.Background(), sagas, p)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range states {
		fmt.Println(s.State, s.Count)
	}
	// Output:
	// completed 3
	// failed 3
	// running 3
}

// Example_sagaDuration is the mean duration of the completed sagas: a
// $project computing each duration ($subtract of two dates), then a
// $group of every document. It needs $subtract in $project, which
// FerretDB v1 lacks; TestSagaStatistics runs it on every server.
func Example_sagaDuration() {
	var sagas *odm.Collection[models.Saga] // odm.MustCollection[models.Saga](db)
	mean, err := odm.RunPipeline(context.Background(), sagas, sagaMeanDuration("execution_saga"))
	if err != nil {
		log.Fatal(err)
	}
	if len(mean) == 1 {
		fmt.Println(time.Duration(mean[0].Millis) * time.Millisecond)
	}
}

// Example_eventStatistics counts a window's events by type, service and
// hour in one $facet, turning each branch's counts into a map. It needs
// $facet, which FerretDB v1 lacks; TestEventStatistics runs it on every
// server.
func Example_eventStatistics() {
	var events *odm.Collection[models.Event] // odm.MustCollection[models.Event](db)
	to := time.Now()
	stats, err := odm.RunPipeline(context.Background(), events, eventStatisticsPipeline(to.Add(-24*time.Hour), to))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range stats {
		fmt.Println(s.TotalEvents, "events;", len(s.EventsByType), "types;", len(s.EventsByHour), "hours")
	}
}

// Example_replayInfo gathers the events of an aggregate in time order,
// with their types and time span: $push of the whole document ($$ROOT)
// and $addToSet. It needs $push, which FerretDB v1 lacks; TestReplayInfo
// runs it on every server.
func Example_replayInfo() {
	var events *odm.Collection[models.Event] // odm.MustCollection[models.Event](db)
	info, err := odm.RunPipeline(context.Background(), events, replayInfoPipeline("exec-1"))
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range info {
		slices.Sort(r.EventTypes)
		fmt.Println(r.EventCount, "events from", r.StartTime, "to", r.EndTime, "of types", r.EventTypes)
	}
}
