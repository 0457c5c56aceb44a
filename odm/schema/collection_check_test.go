package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckShape(t *testing.T) {
	exists := func(p string) bool { return p == "ts" || p == "m" }
	for _, tt := range []struct {
		shape CollectionShape
		want  string
	}{
		{CollectionShape{Validator: &Validator{Level: "loose", Action: ActionWarn}}, `validation level must be off, moderate or strict, not "loose"`},
		{CollectionShape{Validator: &Validator{Level: LevelStrict, Action: "ignore"}}, `validation action must be warn or error`},
		{CollectionShape{Options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{}}}, "needs a time field"},
		{CollectionShape{Options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "nope"}}}, "time field nope names no field"},
		{CollectionShape{Options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "ts", Granularity: "days"}}}, "granularity must be"},
		{CollectionShape{Options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "ts"}, Capped: &CappedOptions{Size: 1}}}, "cannot be capped or clustered"},
		{CollectionShape{Options: &CollectionOptions{Capped: &CappedOptions{}}}, "needs a size"},
		{CollectionShape{Options: &CollectionOptions{Capped: &CappedOptions{Size: 10}, ClusteredIndex: true}}, "clustered collection cannot be capped"},
	} {
		msgs := checkShape(&tt.shape, exists)
		require.NotEmpty(t, msgs, tt.want)
		assert.Contains(t, msgs[0], tt.want)
	}
}
