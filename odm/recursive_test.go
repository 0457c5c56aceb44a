package odm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

// TestRecursiveModelsEnd: a recursive model passes through every entry
// point and declares its tag indexes at the outermost occurrence of each
// type; Indexes() may name a path at any depth.
func TestRecursiveModelsEnd(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		decl, err := odm.Declared(testmodels.TreeNode{}, testmodels.ListNode{}, testmodels.MutualA{})
		require.NoError(t, err)
		names := func(specs []schema.IndexSpec) []string {
			var out []string
			for _, s := range specs {
				out = append(out, s.IndexName())
			}
			return out
		}
		assert.Equal(t, []string{"name_1", "grandchildren"}, names(decl["tree_node"]))
		assert.Equal(t, []string{"v_1"}, names(decl["list_node"]))
		assert.Equal(t, []string{"b.x_1"}, names(decl["mutual_a"]))
		_, err = odm.NewCollection[testmodels.TreeNode](nil)
		assert.ErrorContains(t, err, "a database is needed", "the model itself is valid")
		require.NoError(t, registry.New().Register(testmodels.TreeNode{}, testmodels.ListNode{}, testmodels.MutualA{}))
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("describing recursive models did not end")
	}

	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	_, err := odm.Plan(context.Background(), db, testmodels.TreeNode{}, testmodels.ListNode{}, testmodels.MutualA{})
	require.NoError(t, err)
	assert.Equal(t, 3, rec.Count("listIndexes"))
}

type deepRule struct {
	Kids []deepRule `bson:"kids"`
	Name string     `bson:"name"`
}

func (deepRule) Validator() schema.Validator {
	return schema.Validator{Required: []string{"kids.name"}}
}

// TestRuleInsideARecursionPoint: a rule on a path the permissive object
// swallows is refused, saying why.
func TestRuleInsideARecursionPoint(t *testing.T) {
	_, err := schema.GenerateSchema(deepRule{})
	assert.ErrorContains(t, err, `names "kids.name", which lies inside a recursive type where the generated schema is a permissive object`)
	assert.ErrorContains(t, odm.Validate(deepRule{}), "odm_test.deepRule.Validator()")
}
