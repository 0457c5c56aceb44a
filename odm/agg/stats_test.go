package agg_test

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm/agg"
	"github.com/tagodm/tagodm/odm/query"
)

// The reference service's statistics pipelines, written with the
// builder over the service's models, each beside the raw pipeline the
// service sends, for the differential tests.

var (
	dlqTopic    = query.F(func(m *models.DLQMessage) *string { return &m.OriginalTopic })
	dlqStatus   = query.F(func(m *models.DLQMessage) *string { return &m.Status })
	dlqFailedAt = query.F(func(m *models.DLQMessage) *time.Time { return &m.FailedAt })
	dlqRetries  = query.F(func(m *models.DLQMessage) *int { return &m.RetryCount })

	evType      = query.F(func(e *models.Event) *models.EventType { return &e.EventType })
	evService   = query.F(func(e *models.Event) *string { return &e.Metadata.ServiceName })
	evTimestamp = query.F(func(e *models.Event) *time.Time { return &e.Timestamp })
	evAggregate = query.F(func(e *models.Event) **string { return &e.AggregateID })
	evExecution = query.F(func(e *models.Event) **string { return &e.ExecutionID })

	sagaName        = query.F(func(s *models.Saga) *string { return &s.SagaName })
	sagaState       = query.F(func(s *models.Saga) *string { return &s.State })
	sagaCreatedAt   = query.F(func(s *models.Saga) *time.Time { return &s.CreatedAt })
	sagaCompletedAt = query.F(func(s *models.Saga) **time.Time { return &s.CompletedAt })
)

// DLQ statistics: the active messages per topic.

// queueSize is the number of active DLQ messages of a topic.
type queueSize struct {
	Topic string `bson:"_id"`
	Count int    `bson:"count"`
}

var qsCount = query.F(func(q *queueSize) *int { return &q.Count })

func dlqQueueSizes() agg.Pipeline[models.DLQMessage, queueSize] {
	active := agg.New[models.DLQMessage]().Match(query.OneOf(dlqStatus, "pending", "scheduled"))
	return agg.Group(active, agg.Ref(dlqTopic), agg.Count[models.DLQMessage](qsCount))
}

var dlqQueueSizesRaw = bson.A{
	d("$match", d("status", d("$in", bson.A{"pending", "scheduled"}))),
	d("$group", bson.D{{Key: "_id", Value: "$original_topic"}, {Key: "count", Value: d("$sum", 1)}}),
}

// DLQ statistics: the summary of each topic, grouped by topic and status
// first, then by topic.

type topicStatus struct {
	Topic  string `bson:"topic"`
	Status string `bson:"status"`
}

type topicStatusStats struct {
	Key      topicStatus `bson:"_id"`
	Count    int         `bson:"count"`
	Oldest   time.Time   `bson:"oldest"`
	Newest   time.Time   `bson:"newest"`
	SumRetry int         `bson:"sum_retry"`
	MaxRetry int         `bson:"max_retry"`
}

type statusPair struct {
	K string `bson:"k"`
	V int    `bson:"v"`
}

type topicStats struct {
	Topic         string       `bson:"_id"`
	StatusPairs   []statusPair `bson:"status_pairs"`
	TotalMessages int          `bson:"total_messages"`
	OldestMessage time.Time    `bson:"oldest_message"`
	NewestMessage time.Time    `bson:"newest_message"`
	TotalRetry    int          `bson:"total_retry"`
	DocCount      int          `bson:"doc_count"`
	MaxRetryCount int          `bson:"max_retry_count"`
}

// topicSummary is the service's DLQTopicSummary.
type topicSummary struct {
	Topic           string         `bson:"topic"`
	TotalMessages   int            `bson:"total_messages"`
	StatusBreakdown map[string]int `bson:"status_breakdown"`
	OldestMessage   time.Time      `bson:"oldest_message"`
	NewestMessage   time.Time      `bson:"newest_message"`
	AvgRetryCount   float64        `bson:"avg_retry_count"`
	MaxRetryCount   int            `bson:"max_retry_count"`
}

var (
	tsTopic  = query.F(func(k *topicStatus) *string { return &k.Topic })
	tsStatus = query.F(func(k *topicStatus) *string { return &k.Status })

	tssTopic    = query.F(func(s *topicStatusStats) *string { return &s.Key.Topic })
	tssStatus   = query.F(func(s *topicStatusStats) *string { return &s.Key.Status })
	tssCount    = query.F(func(s *topicStatusStats) *int { return &s.Count })
	tssOldest   = query.F(func(s *topicStatusStats) *time.Time { return &s.Oldest })
	tssNewest   = query.F(func(s *topicStatusStats) *time.Time { return &s.Newest })
	tssSumRetry = query.F(func(s *topicStatusStats) *int { return &s.SumRetry })
	tssMaxRetry = query.F(func(s *topicStatusStats) *int { return &s.MaxRetry })

	pairK = query.F(func(p *statusPair) *string { return &p.K })
	pairV = query.F(func(p *statusPair) *int { return &p.V })

	tTopic    = query.F(func(s *topicStats) *string { return &s.Topic })
	tPairs    = query.F(func(s *topicStats) *[]statusPair { return &s.StatusPairs })
	tTotal    = query.F(func(s *topicStats) *int { return &s.TotalMessages })
	tOldest   = query.F(func(s *topicStats) *time.Time { return &s.OldestMessage })
	tNewest   = query.F(func(s *topicStats) *time.Time { return &s.NewestMessage })
	tRetry    = query.F(func(s *topicStats) *int { return &s.TotalRetry })
	tDocCount = query.F(func(s *topicStats) *int { return &s.DocCount })
	tMaxRetry = query.F(func(s *topicStats) *int { return &s.MaxRetryCount })

	sumTopic     = query.F(func(s *topicSummary) *string { return &s.Topic })
	sumTotal     = query.F(func(s *topicSummary) *int { return &s.TotalMessages })
	sumBreakdown = query.F(func(s *topicSummary) *map[string]int { return &s.StatusBreakdown })
	sumOldest    = query.F(func(s *topicSummary) *time.Time { return &s.OldestMessage })
	sumNewest    = query.F(func(s *topicSummary) *time.Time { return &s.NewestMessage })
	sumAvgRetry  = query.F(func(s *topicSummary) *float64 { return &s.AvgRetryCount })
	sumMaxRetry  = query.F(func(s *topicSummary) *int { return &s.MaxRetryCount })
)

func dlqTopicsSummary() agg.Pipeline[models.DLQMessage, topicSummary] {
	type M = models.DLQMessage
	byTopicStatus := agg.Group(agg.New[M](),
		agg.Doc(agg.Set(tsTopic, agg.Ref(dlqTopic)), agg.Set(tsStatus, agg.Ref(dlqStatus))),
		agg.Count[M](tssCount),
		agg.Min(tssOldest, agg.Ref(dlqFailedAt)),
		agg.Max(tssNewest, agg.Ref(dlqFailedAt)),
		agg.Sum(tssSumRetry, agg.Ref(dlqRetries)),
		agg.Max(tssMaxRetry, agg.Ref(dlqRetries)))
	byTopic := agg.Group(byTopicStatus, agg.Ref(tssTopic),
		agg.Push(tPairs, agg.Doc(agg.Set(pairK, agg.Ref(tssStatus)), agg.Set(pairV, agg.Ref(tssCount)))),
		agg.Sum(tTotal, agg.Ref(tssCount)),
		agg.Min(tOldest, agg.Ref(tssOldest)),
		agg.Max(tNewest, agg.Ref(tssNewest)),
		agg.Sum(tRetry, agg.Ref(tssSumRetry)),
		agg.Sum(tDocCount, agg.Ref(tssCount)),
		agg.Max(tMaxRetry, agg.Ref(tssMaxRetry)),
	).SortBy(query.ByDesc(tTotal))
	avg := agg.Op[float64]("$divide", agg.Ref(tRetry), agg.Ref(tDocCount))
	return agg.Project(byTopic,
		agg.Set(sumTopic, agg.Ref(tTopic)),
		agg.Set(sumTotal, agg.Ref(tTotal)),
		agg.Set(sumBreakdown, agg.Op[map[string]int]("$arrayToObject", agg.Ref(tPairs))),
		agg.Set(sumOldest, agg.Ref(tOldest)),
		agg.Set(sumNewest, agg.Ref(tNewest)),
		agg.Set(sumAvgRetry, agg.Op[float64]("$round", avg, agg.Lit[topicStats](2))),
		agg.Set(sumMaxRetry, agg.Ref(tMaxRetry)))
}

var dlqTopicsSummaryRaw = bson.A{
	d("$group", bson.D{
		{Key: "_id", Value: bson.D{{Key: "topic", Value: "$original_topic"}, {Key: "status", Value: "$status"}}},
		{Key: "count", Value: d("$sum", 1)},
		{Key: "oldest", Value: d("$min", "$failed_at")},
		{Key: "newest", Value: d("$max", "$failed_at")},
		{Key: "sum_retry", Value: d("$sum", "$retry_count")},
		{Key: "max_retry", Value: d("$max", "$retry_count")},
	}),
	d("$group", bson.D{
		{Key: "_id", Value: "$_id.topic"},
		{Key: "status_pairs", Value: d("$push", bson.D{{Key: "k", Value: "$_id.status"}, {Key: "v", Value: "$count"}})},
		{Key: "total_messages", Value: d("$sum", "$count")},
		{Key: "oldest_message", Value: d("$min", "$oldest")},
		{Key: "newest_message", Value: d("$max", "$newest")},
		{Key: "total_retry", Value: d("$sum", "$sum_retry")},
		{Key: "doc_count", Value: d("$sum", "$count")},
		{Key: "max_retry_count", Value: d("$max", "$max_retry")},
	}),
	d("$sort", d("total_messages", -1)),
	d("$project", bson.D{
		{Key: "_id", Value: 0},
		{Key: "topic", Value: "$_id"},
		{Key: "total_messages", Value: 1},
		{Key: "status_breakdown", Value: d("$arrayToObject", "$status_pairs")},
		{Key: "oldest_message", Value: 1},
		{Key: "newest_message", Value: 1},
		{Key: "avg_retry_count", Value: d("$round", bson.A{d("$divide", bson.A{"$total_retry", "$doc_count"}), 2})},
		{Key: "max_retry_count", Value: 1},
	}),
}

// Event statistics: counts by type, by service and by hour, and the
// total, of the events in a time window, in one $facet.

type keyCount struct {
	Key   string `bson:"_id"`
	Count int    `bson:"count"`
}

type totalCount struct {
	Count int `bson:"count"`
}

type eventFacets struct {
	ByType    []keyCount   `bson:"by_type"`
	ByService []keyCount   `bson:"by_service"`
	ByHour    []keyCount   `bson:"by_hour"`
	Total     []totalCount `bson:"total"`
}

type hourCount struct {
	Hour  string `bson:"hour"`
	Count int    `bson:"count"`
}

// eventStatistics is the service's EventStatistics.
type eventStatistics struct {
	TotalEvents     int            `bson:"total_events"`
	EventsByType    map[string]int `bson:"events_by_type"`
	EventsByService map[string]int `bson:"events_by_service"`
	EventsByHour    []hourCount    `bson:"events_by_hour"`
}

var (
	kcKey   = query.F(func(k *keyCount) *string { return &k.Key })
	kcCount = query.F(func(k *keyCount) *int { return &k.Count })
	tcCount = query.F(func(t *totalCount) *int { return &t.Count })

	efByType    = query.F(func(f *eventFacets) *[]keyCount { return &f.ByType })
	efByService = query.F(func(f *eventFacets) *[]keyCount { return &f.ByService })
	efByHour    = query.F(func(f *eventFacets) *[]keyCount { return &f.ByHour })
	efTotal     = query.F(func(f *eventFacets) *[]totalCount { return &f.Total })

	esTotal     = query.F(func(s *eventStatistics) *int { return &s.TotalEvents })
	esByType    = query.F(func(s *eventStatistics) *map[string]int { return &s.EventsByType })
	esByService = query.F(func(s *eventStatistics) *map[string]int { return &s.EventsByService })
	esByHour    = query.F(func(s *eventStatistics) *[]hourCount { return &s.EventsByHour })
)

// countsToMap is {$arrayToObject: {$map: ...}} of a facet's counts: the
// operator's variables ($$c) are written by hand.
func countsToMap(f query.Field[eventFacets, []keyCount]) agg.Expr[eventFacets, map[string]int] {
	return agg.Expression[map[string]int, eventFacets](d("$arrayToObject", d("$map", bson.D{
		{Key: "input", Value: "$" + f.Path()}, {Key: "as", Value: "c"},
		{Key: "in", Value: bson.D{{Key: "k", Value: "$$c._id"}, {Key: "v", Value: "$$c.count"}}},
	})))
}

// countedBy counts the events of each value of key.
func countedBy[K any](key agg.Expr[models.Event, K]) agg.Pipeline[models.Event, keyCount] {
	return agg.Group(agg.New[models.Event](), key, agg.Count[models.Event](kcCount))
}

func eventStatisticsPipeline(from, to time.Time) agg.Pipeline[models.Event, eventStatistics] {
	type E = models.Event
	window := agg.New[E]().Match(query.And(query.Gte(evTimestamp, from), query.Lt(evTimestamp, to)))
	facets := agg.Facet(window,
		agg.Into(efByType, countedBy(agg.Ref(evType)).SortBy(query.ByDesc(kcCount))),
		agg.Into(efByService, countedBy(agg.Ref(evService)).SortBy(query.ByDesc(kcCount))),
		agg.Into(efByHour, countedBy(agg.DateToString("%Y-%m-%d %H:00", agg.Ref(evTimestamp))).SortBy(query.By(kcKey))),
		agg.Into(efTotal, agg.CountDocs(agg.New[E](), tcCount)))
	return agg.Project(facets,
		agg.Set(esTotal, agg.Expression[int, eventFacets](d("$ifNull", bson.A{d("$arrayElemAt", bson.A{"$total.count", 0}), 0}))),
		agg.Set(esByType, countsToMap(efByType)),
		agg.Set(esByService, countsToMap(efByService)),
		agg.Set(esByHour, agg.Expression[[]hourCount, eventFacets](d("$map", bson.D{
			{Key: "input", Value: "$by_hour"}, {Key: "as", Value: "h"},
			{Key: "in", Value: bson.D{{Key: "hour", Value: "$$h._id"}, {Key: "count", Value: "$$h.count"}}},
		}))))
}

func eventStatisticsRaw(from, to time.Time) bson.A {
	toMap := func(input string) bson.D {
		return d("$arrayToObject", d("$map", bson.D{{Key: "input", Value: input}, {Key: "as", Value: "t"},
			{Key: "in", Value: bson.D{{Key: "k", Value: "$$t._id"}, {Key: "v", Value: "$$t.count"}}}}))
	}
	count := bson.D{{Key: "count", Value: d("$sum", 1)}}
	return bson.A{
		d("$match", d("timestamp", bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}})),
		d("$facet", bson.D{
			{Key: "by_type", Value: bson.A{d("$group", append(bson.D{{Key: "_id", Value: "$event_type"}}, count...)), d("$sort", d("count", -1))}},
			{Key: "by_service", Value: bson.A{d("$group", append(bson.D{{Key: "_id", Value: "$metadata.service_name"}}, count...)), d("$sort", d("count", -1))}},
			{Key: "by_hour", Value: bson.A{
				d("$group", append(bson.D{{Key: "_id", Value: d("$dateToString", bson.D{{Key: "format", Value: "%Y-%m-%d %H:00"}, {Key: "date", Value: "$timestamp"}})}}, count...)),
				d("$sort", d("_id", 1)),
			}},
			{Key: "total", Value: bson.A{d("$count", "count")}},
		}),
		d("$project", bson.D{
			{Key: "_id", Value: 0},
			{Key: "total_events", Value: d("$ifNull", bson.A{d("$arrayElemAt", bson.A{"$total.count", 0}), 0})},
			{Key: "events_by_type", Value: toMap("$by_type")},
			{Key: "events_by_service", Value: toMap("$by_service")},
			{Key: "events_by_hour", Value: d("$map", bson.D{{Key: "input", Value: "$by_hour"}, {Key: "as", Value: "h"},
				{Key: "in", Value: bson.D{{Key: "hour", Value: "$$h._id"}, {Key: "count", Value: "$$h.count"}}}})},
		}),
	}
}

// Saga statistics: the sagas of a name by state, and the mean duration of
// the completed ones.

type stateCount struct {
	State string `bson:"_id"`
	Count int    `bson:"count"`
}

type sagaDuration struct {
	Millis int64 `bson:"duration"`
}

type meanDuration struct {
	Millis float64 `bson:"avg_duration"`
}

var (
	scCount = query.F(func(s *stateCount) *int { return &s.Count })
	sdMs    = query.F(func(s *sagaDuration) *int64 { return &s.Millis })
	mdMs    = query.F(func(m *meanDuration) *float64 { return &m.Millis })
)

func sagasByState(name string) agg.Pipeline[models.Saga, stateCount] {
	named := agg.New[models.Saga]().Match(query.Eq(sagaName, name))
	return agg.Group(named, agg.Ref(sagaState), agg.Count[models.Saga](scCount))
}

func sagasByStateRaw(name string) bson.A {
	return bson.A{
		d("$match", d("saga_name", name)),
		d("$group", bson.D{{Key: "_id", Value: "$state"}, {Key: "count", Value: d("$sum", 1)}}),
	}
}

func sagaMeanDuration(name string) agg.Pipeline[models.Saga, meanDuration] {
	completed := agg.New[models.Saga]().Match(query.And(
		query.Eq(sagaName, name), query.Eq(sagaState, "completed"), query.NotNull(sagaCompletedAt)))
	durations := agg.Project(completed, agg.Set(sdMs, agg.Millis(agg.Ref(sagaCompletedAt), agg.Ref(sagaCreatedAt))))
	return agg.GroupAll(durations, agg.Avg(mdMs, agg.Ref(sdMs)))
}

func sagaMeanDurationRaw(name string) bson.A {
	return bson.A{
		d("$match", bson.D{{Key: "$and", Value: bson.A{d("saga_name", name), d("state", "completed"), d("completed_at", d("$ne", nil))}}}),
		d("$project", d("duration", d("$subtract", bson.A{"$completed_at", "$created_at"}))),
		d("$group", bson.D{{Key: "_id", Value: nil}, {Key: "avg_duration", Value: d("$avg", "$duration")}}),
	}
}

// Replay info: the events of an aggregate in time order, with their
// count, their types and the time span.

type replayInfo struct {
	Events     []models.Event     `bson:"events"`
	EventCount int                `bson:"event_count"`
	EventTypes []models.EventType `bson:"event_types"`
	StartTime  time.Time          `bson:"start_time"`
	EndTime    time.Time          `bson:"end_time"`
}

var (
	riEvents = query.F(func(r *replayInfo) *[]models.Event { return &r.Events })
	riCount  = query.F(func(r *replayInfo) *int { return &r.EventCount })
	riTypes  = query.F(func(r *replayInfo) *[]models.EventType { return &r.EventTypes })
	riStart  = query.F(func(r *replayInfo) *time.Time { return &r.StartTime })
	riEnd    = query.F(func(r *replayInfo) *time.Time { return &r.EndTime })
)

func replayInfoPipeline(aggregateID string) agg.Pipeline[models.Event, replayInfo] {
	type E = models.Event
	mine := agg.New[E]().
		Match(query.Or(query.Eq(evAggregate, &aggregateID), query.Eq(evExecution, &aggregateID))).
		SortBy(query.By(evTimestamp))
	return agg.GroupAll(mine,
		agg.Push(riEvents, agg.Root[E]()),
		agg.Count[E](riCount),
		agg.AddToSet(riTypes, agg.Ref(evType)),
		agg.Min(riStart, agg.Ref(evTimestamp)),
		agg.Max(riEnd, agg.Ref(evTimestamp)),
	).Raw(d("$project", d("_id", 0)))
}

func replayInfoRaw(aggregateID string) bson.A {
	return bson.A{
		d("$match", d("$or", bson.A{d("aggregate_id", aggregateID), d("execution_id", aggregateID)})),
		d("$sort", d("timestamp", 1)),
		d("$group", bson.D{
			{Key: "_id", Value: nil},
			{Key: "events", Value: d("$push", "$$ROOT")},
			{Key: "event_count", Value: d("$sum", 1)},
			{Key: "event_types", Value: d("$addToSet", "$event_type")},
			{Key: "start_time", Value: d("$min", "$timestamp")},
			{Key: "end_time", Value: d("$max", "$timestamp")},
		}),
		d("$project", d("_id", 0)),
	}
}
