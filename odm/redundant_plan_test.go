package odm_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

// orderLog declares a plain index that a compound one makes redundant,
// and a unique one, which is never called redundant.
type orderLog struct {
	Customer string `bson:"customer" odm:"index;index:idx_customer_day,priority:1"`
	Day      string `bson:"day" odm:"index:idx_customer_day,priority:2"`
	Ref      string `bson:"ref" odm:"uniqueIndex:idx_ref"`
	Kind     string `bson:"kind"`
}

func (orderLog) CollectionName() string { return "order_log" }

func (orderLog) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("ref"), schema.Asc("kind")).Named("idx_ref_kind")}
}

// TestPlanWarnsOfRedundantIndexes: the plan names a redundant index in its
// table and its JSON, as a warning that changes nothing: Init creates it.
func TestPlanWarnsOfRedundantIndexes(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	plan, err := odm.Plan(ctx, db, orderLog{})
	require.NoError(t, err)
	require.Len(t, plan.Collections, 1)
	red := plan.Collections[0].Redundant
	require.Len(t, red, 1, "the unique idx_ref is a prefix of idx_ref_kind, and kept out")
	assert.Equal(t, "customer_1", red[0].Index)
	assert.Equal(t, []string{"idx_customer_day"}, red[0].CoveredBy)
	assert.Contains(t, plan.String(), "warning: order_log: index customer_1 is redundant: its keys are a prefix of idx_customer_day")

	raw, err := json.Marshal(plan)
	require.NoError(t, err)
	var decoded struct {
		Collections []struct {
			Redundant []query.RedundantIndex `json:"redundant"`
		} `json:"collections"`
	}
	require.NoError(t, json.Unmarshal(raw, &decoded))
	assert.Equal(t, red, decoded.Collections[0].Redundant)

	report, err := odm.Init(ctx, db, orderLog{}, odm.SkipUnsupported())
	require.NoError(t, err)
	cr, _ := report.Collection("order_log")
	outcomes := map[string]outcome.Outcome{}
	for _, r := range cr.Indexes {
		outcomes[r.Name] = r.Outcome
	}
	assert.Equal(t, outcome.Created, outcomes["customer_1"], "a warning changes nothing")
}
