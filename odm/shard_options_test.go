package odm_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestShardPolicyOptions: the sharding options reach Init. An unknown
// policy fails before any command; ShardOff and the default read nothing
// about keys for keyless models; an explicit ShardReport detects the
// deployment (once per client) to look for collections sharded outside
// their models.
func TestShardPolicyOptions(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	c := testrig.HookedClient(t, func(name string, _ bson.Raw) { mu.Lock(); sent = append(sent, name); mu.Unlock() })
	db := testrig.Database(t, c)
	commands := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := sent
		sent = nil
		return out
	}

	_, err := odm.Init(context.Background(), db, plainModel{}, odm.ShardPolicy("sometimes"))
	require.ErrorContains(t, err, `unknown shard policy "sometimes"`)
	assert.Empty(t, commands())

	_, err = odm.Init(context.Background(), db, plainModel{}, odm.SkipUnsupported())
	require.NoError(t, err)
	commands()
	for _, opt := range []odm.Option{odm.ShardPolicy(shard.Off), odm.AllowRefine()} {
		_, err = odm.Init(context.Background(), db, plainModel{}, opt)
		require.NoError(t, err)
		assert.Equal(t, []string{"listIndexes"}, commands())
	}

	plan, err := odm.Plan(context.Background(), db, plainModel{}, odm.ShardPolicy(shard.Report), odm.VerifyAcrossShards())
	require.NoError(t, err)
	assert.Nil(t, plan.Collections[0].Shard, "not sharded: no row")
	got := commands()
	assert.True(t, slices.Contains(got, "hello") && slices.Contains(got, "buildInfo"), "detection: %v", got)
	_, err = odm.Plan(context.Background(), db, plainModel{}, odm.ShardPolicy(shard.Report))
	require.NoError(t, err)
	assert.NotContains(t, commands(), "hello", "detected once per client")
}
