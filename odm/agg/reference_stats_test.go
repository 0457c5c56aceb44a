package agg_test

import (
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/models"
)

// The DLQ's active messages per topic are the ones the fixture has.
func TestDLQQueueSizes(t *testing.T) {
	fixture := dlqFixture()
	got := sameOnServer(t, seeded(t, fixture), dlqQueueSizes(), dlqQueueSizesRaw)
	want := map[string]int{}
	for _, m := range fixture {
		if m.Status == "pending" || m.Status == "scheduled" {
			want[m.OriginalTopic]++
		}
	}
	have := map[string]int{}
	for _, r := range got {
		have[r.Topic] = r.Count
	}
	assert.Equal(t, want, have)
}

// Each topic's summary counts, spans and averages the fixture's messages
// of the topic, largest topic first.
func TestDLQTopicsSummary(t *testing.T) {
	fixture := dlqFixture()
	got := sameOnServer(t, seeded(t, fixture), dlqTopicsSummary(), dlqTopicsSummaryRaw)
	want := map[string]*topicSummary{}
	retries := map[string]int{}
	for _, m := range fixture {
		s := want[m.OriginalTopic]
		if s == nil {
			s = &topicSummary{Topic: m.OriginalTopic, StatusBreakdown: map[string]int{}, OldestMessage: m.FailedAt, NewestMessage: m.FailedAt}
			want[m.OriginalTopic] = s
		}
		s.TotalMessages++
		s.StatusBreakdown[m.Status]++
		s.MaxRetryCount = max(s.MaxRetryCount, m.RetryCount)
		if m.FailedAt.Before(s.OldestMessage) {
			s.OldestMessage = m.FailedAt
		}
		if m.FailedAt.After(s.NewestMessage) {
			s.NewestMessage = m.FailedAt
		}
		retries[m.OriginalTopic] += m.RetryCount
	}
	require.Len(t, got, len(want))
	for i, g := range got {
		w := want[g.Topic]
		require.NotNil(t, w, g.Topic)
		if i > 0 {
			assert.Greater(t, got[i-1].TotalMessages, g.TotalMessages, "largest topic first")
		}
		assert.Equal(t, w.TotalMessages, g.TotalMessages, g.Topic)
		assert.Equal(t, w.StatusBreakdown, g.StatusBreakdown, g.Topic)
		assert.Equal(t, w.MaxRetryCount, g.MaxRetryCount, g.Topic)
		assert.True(t, w.OldestMessage.Equal(g.OldestMessage), g.Topic)
		assert.True(t, w.NewestMessage.Equal(g.NewestMessage), g.Topic)
		assert.InDelta(t, math.Round(float64(retries[g.Topic])/float64(w.TotalMessages)*100)/100, g.AvgRetryCount, 1e-9, g.Topic)
	}
}

// The event statistics of a window count the fixture's events in it by
// type, by service and by hour.
func TestEventStatistics(t *testing.T) {
	fixture := eventFixture()
	from, to := base.Add(30*time.Minute), base.Add(4*time.Hour)
	got := sameOnServer(t, seeded(t, fixture), eventStatisticsPipeline(from, to), eventStatisticsRaw(from, to))
	require.Len(t, got, 1)
	want := eventStatistics{EventsByType: map[string]int{}, EventsByService: map[string]int{}}
	hours := map[string]int{}
	for _, e := range fixture {
		if e.Timestamp.Before(from) || !e.Timestamp.Before(to) {
			continue
		}
		want.TotalEvents++
		want.EventsByType[string(e.EventType)]++
		want.EventsByService[e.Metadata.ServiceName]++
		hours[e.Timestamp.UTC().Format("2006-01-02 15:00")]++
	}
	for _, h := range slices.Sorted(maps.Keys(hours)) {
		want.EventsByHour = append(want.EventsByHour, hourCount{Hour: h, Count: hours[h]})
	}
	assert.Equal(t, want, got[0])
}

// The saga statistics count a name's sagas by state, and average the
// durations of its completed sagas that have a completion time.
func TestSagaStatistics(t *testing.T) {
	fixture := sagaFixture()
	c := seeded(t, fixture)
	byState := sameOnServer(t, c, sagasByState("execution_saga"), sagasByStateRaw("execution_saga"))
	want := map[string]int{}
	var sum time.Duration
	n := 0
	for _, s := range fixture {
		if s.SagaName != "execution_saga" {
			continue
		}
		want[s.State]++
		if s.State == "completed" && s.CompletedAt != nil {
			sum += s.CompletedAt.Sub(s.CreatedAt)
			n++
		}
	}
	have := map[string]int{}
	for _, r := range byState {
		have[r.State] = r.Count
	}
	assert.Equal(t, want, have)

	mean := sameOnServer(t, c, sagaMeanDuration("execution_saga"), sagaMeanDurationRaw("execution_saga"))
	require.Len(t, mean, 1)
	require.Positive(t, n)
	assert.InDelta(t, float64(sum.Milliseconds())/float64(n), mean[0].Millis, 1e-6)
}

// The replay info of an aggregate holds its events in time order, their
// types and their span.
func TestReplayInfo(t *testing.T) {
	fixture := eventFixture()
	got := sameOnServer(t, seeded(t, fixture), replayInfoPipeline("exec-1"), replayInfoRaw("exec-1"))
	require.Len(t, got, 1)
	var ids []string
	var types []models.EventType
	var mine []models.Event
	for _, e := range fixture {
		if e.AggregateID != nil && *e.AggregateID == "exec-1" || e.ExecutionID != nil && *e.ExecutionID == "exec-1" {
			mine = append(mine, e)
			ids = append(ids, e.EventID)
			if !slices.Contains(types, e.EventType) {
				types = append(types, e.EventType)
			}
		}
	}
	r := got[0]
	var gotIDs []string
	for _, e := range r.Events {
		gotIDs = append(gotIDs, e.EventID)
	}
	assert.Equal(t, ids, gotIDs, "in time order")
	assert.Equal(t, len(mine), r.EventCount)
	slices.Sort(types)
	slices.Sort(r.EventTypes)
	assert.Equal(t, types, r.EventTypes)
	assert.True(t, mine[0].Timestamp.Equal(r.StartTime))
	assert.True(t, mine[len(mine)-1].Timestamp.Equal(r.EndTime))
}
