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

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// aggregated runs pipeline with Aggregate and reads every result.
func aggregated(t *testing.T, ctx context.Context, members *odm.Collection[member], pipeline any) []bson.M {
	t.Helper()
	cur, err := members.Aggregate(ctx, pipeline)
	require.NoError(t, err)
	var out []bson.M
	require.NoError(t, cur.All(ctx, &out))
	return out
}

// TestAggregateChecksItsHead: a key of the leading $match or of the $sort
// beside it that names no field is a *PathError before any command, as
// Find's filter and sort are; the stages after the head are not checked.
func TestAggregateChecksItsHead(t *testing.T) {
	members, rec, ctx := repoFixture(t)
	seed(t, ctx, members)
	rec.Reset()

	refused := []struct {
		name     string
		pipeline any
		part     string
		path     string
	}{
		{"a typo in $match", mongo.Pipeline{{{Key: "$match", Value: bson.D{{Key: "emial", Value: "ada@x"}}}}}, "filter", "emial"},
		{"a typo under $or in $match", bson.A{bson.M{"$match": bson.M{"$or": bson.A{bson.M{"team": "core"}, bson.M{"tema": "labs"}}}}}, "filter", "tema"},
		{"a typo in the $sort after $match", mongo.Pipeline{
			{{Key: "$match", Value: bson.D{{Key: "team", Value: "core"}}}},
			{{Key: "$sort", Value: bson.D{{Key: "aeg", Value: 1}}}},
		}, "sort", "aeg"},
		{"a typo in a leading $sort", mongo.Pipeline{{{Key: "$sort", Value: bson.D{{Key: "emial", Value: 1}}}}}, "sort", "emial"},
		{"a typo in a $match after the $sort", mongo.Pipeline{
			{{Key: "$sort", Value: bson.D{{Key: "age", Value: 1}}}},
			{{Key: "$match", Value: bson.D{{Key: "teams", Value: "core"}}}},
		}, "filter", "teams"},
		{"a typo in a second $match", []bson.D{
			{{Key: "$match", Value: bson.D{{Key: "team", Value: "core"}}}},
			{{Key: "$match", Value: bson.D{{Key: "agee", Value: 36}}}},
		}, "filter", "agee"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, err := members.Aggregate(ctx, c.pipeline)
			var pe *query.PathError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "aggregate", pe.Op)
			assert.Equal(t, "members", pe.Collection)
			assert.Equal(t, c.part, pe.Part)
			assert.Equal(t, c.path, pe.Path)
			assert.Contains(t, pe.GoType, "member")
			assert.Zero(t, rec.Count("aggregate"), "refused before any command")
		})
	}

	// Valid heads: the documents, as the server answers them.
	got := aggregated(t, ctx, members, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "team", Value: "core"}}}},
		{{Key: "$sort", Value: bson.D{{Key: "age", Value: -1}}}},
		{{Key: "$project", Value: bson.D{{Key: "_id", Value: 0}, {Key: "email", Value: 1}}}},
	})
	assert.Equal(t, []bson.M{{"email": "grace@x"}, {"email": "ada@x"}}, got)
	assert.Equal(t, 1, rec.Count("aggregate"))

	// After the head, keys name computed fields: not checked.
	got = aggregated(t, ctx, members, bson.A{
		bson.M{"$group": bson.M{"_id": "$team", "n": bson.M{"$sum": 1}}},
		bson.M{"$match": bson.M{"n": bson.M{"$gt": 1}}},
		bson.M{"$sort": bson.M{"n": 1}},
	})
	assert.Equal(t, []bson.M{{"_id": "core", "n": int32(2)}}, got)
}

// TestAggregateErrors: a server's refusal is wrapped naming the call and
// the collection; a nil context is refused before any command.
func TestAggregateErrors(t *testing.T) {
	members, rec, ctx := repoFixture(t)
	_, err := members.Aggregate(ctx, mongo.Pipeline{{{Key: "$nosuchstage", Value: 1}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "odm: aggregate on members: ")
	var ce mongo.CommandError
	assert.True(t, errors.As(err, &ce), "the driver's error stays in the chain: %v", err)

	rec.Reset()
	var noCtx context.Context
	_, err = members.Aggregate(noCtx, mongo.Pipeline{})
	require.ErrorContains(t, err, "odm: aggregate on members: a context is needed, got nil")
	assert.Zero(t, rec.Count("aggregate"))
}

// TestAggregateRecordsItsHead: the recorder holds the head of each
// pipeline (its $match stages joined, its $sort) with its coverage, as a
// find's; a pipeline without a head is not recorded.
func TestAggregateRecordsItsHead(t *testing.T) {
	members, _, ctx := repoFixture(t)
	seed(t, ctx, members)
	qr := query.RecordQueries()
	aggregated(t, ctx, members, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "team", Value: "core"}}}},
		{{Key: "$sort", Value: bson.D{{Key: "age", Value: -1}}}},
		{{Key: "$limit", Value: 1}},
		{{Key: "$match", Value: bson.D{{Key: "computed", Value: 1}}}},
	})
	aggregated(t, ctx, members, mongo.Pipeline{
		{{Key: "$sort", Value: bson.D{{Key: "age", Value: 1}}}},
		{{Key: "$match", Value: bson.D{{Key: "age", Value: bson.D{{Key: "$gt", Value: 40}}}}}},
		{{Key: "$match", Value: bson.D{{Key: "email", Value: "alan@x"}}}},
	})
	aggregated(t, ctx, members, bson.A{bson.M{"$match": bson.M{"$or": bson.A{bson.M{"email": "ada@x"}, bson.M{"team": "labs"}}}}})
	aggregated(t, ctx, members, mongo.Pipeline{{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$team"}}}}})
	cur, err := members.Aggregate(ctx, mongo.Pipeline{{{Key: "$match", Value: bson.D{{Key: "age", Value: 36}}}}}, options.Aggregate().SetCollation(&options.Collation{Locale: "fr"}))
	if err == nil {
		require.NoError(t, cur.Close(ctx))
	}
	qr.Stop()

	assert.Equal(t, []string{
		"members aggregate {team: $eq} sort {age: -1}: team_1 (1 key), sort in memory",
		"members aggregate {age: $gt, email: $eq} sort {age: 1}: email_1 (1 key), sort in memory",
		"members aggregate {$or: [{email: $eq}, {team: $eq}]}: $or: email_1 (1 key) | team_1 (1 key)",
		"members aggregate {age: $eq} collation fr: collection scan",
	}, recorded(qr))
}
