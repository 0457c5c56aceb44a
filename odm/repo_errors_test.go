package odm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm"
)

// TestDuplicateOnEveryWritePath: every write path that a unique index
// refuses gives a *odm.DuplicateKeyError for which mongo.IsDuplicateKeyError
// holds, naming the index whenever the server's message does. MongoDB
// answers 11000 everywhere; the embedded server answers 11000 to inserts
// and upserts, and "InternalError ... UNIQUE constraint failed: index
// '<table>_email_1'" to updates, replaces and find-and-modify.
func TestDuplicateOnEveryWritePath(t *testing.T) {
	members, _, ctx := repoFixture(t)
	_, err := members.InsertMany(ctx, []member{{Email: "ada@x", Team: "core"}, {Email: "grace@x", Team: "core"}})
	require.NoError(t, err)
	grace := bson.D{{Key: "email", Value: "grace@x"}}
	toAda := bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: "ada@x"}}}}
	fresh := bson.D{{Key: "_id", Value: bson.NewObjectID()}}
	g, err := members.FindOne(ctx, grace)
	require.NoError(t, err)

	tests := []struct {
		name  string
		write func(ctx context.Context) error
	}{
		{"InsertOne", func(ctx context.Context) error {
			_, err := members.InsertOne(ctx, &member{Email: "ada@x"})
			return err
		}},
		{"InsertMany", func(ctx context.Context) error {
			_, err := members.InsertMany(ctx, []member{{Email: "new@x"}, {Email: "ada@x"}})
			return err
		}},
		{"UpdateOne", func(ctx context.Context) error { _, err := members.UpdateOne(ctx, grace, toAda); return err }},
		{"UpdateByID", func(ctx context.Context) error { _, err := members.UpdateByID(ctx, g.ID, toAda); return err }},
		{"UpdateMany", func(ctx context.Context) error { _, err := members.UpdateMany(ctx, grace, toAda); return err }},
		{"ReplaceOne", func(ctx context.Context) error {
			_, err := members.ReplaceOne(ctx, grace, &member{Email: "ada@x"})
			return err
		}},
		{"ReplaceByID", func(ctx context.Context) error {
			_, err := members.ReplaceByID(ctx, &member{ID: g.ID, Email: "ada@x"})
			return err
		}},
		{"FindOneAndUpdate", func(ctx context.Context) error { _, err := members.FindOneAndUpdate(ctx, grace, toAda); return err }},
		{"FindOneAndReplace", func(ctx context.Context) error {
			_, err := members.FindOneAndReplace(ctx, grace, &member{Email: "ada@x"})
			return err
		}},
		{"UpdateOne upsert", func(ctx context.Context) error {
			_, err := members.UpdateOne(ctx, fresh, toAda, options.UpdateOne().SetUpsert(true))
			return err
		}},
		{"ReplaceOne upsert", func(ctx context.Context) error {
			_, err := members.ReplaceOne(ctx, fresh, &member{Email: "ada@x"}, options.Replace().SetUpsert(true))
			return err
		}},
		{"FindOneAndUpdate upsert", func(ctx context.Context) error {
			_, err := members.FindOneAndUpdate(ctx, fresh, toAda, options.FindOneAndUpdate().SetUpsert(true))
			return err
		}},
		{"FindOneAndReplace upsert", func(ctx context.Context) error {
			_, err := members.FindOneAndReplace(ctx, fresh, &member{Email: "ada@x"}, options.FindOneAndReplace().SetUpsert(true))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write(ctx)
			var dup *odm.DuplicateKeyError
			require.ErrorAs(t, err, &dup)
			assert.Equal(t, "members", dup.Collection)
			assert.True(t, mongo.IsDuplicateKeyError(err), "mongo.IsDuplicateKeyError holds: %v", err)
			var se mongo.ServerError
			require.ErrorAs(t, err, &se, "the server's error stays reachable")
			if strings.Contains(dup.Err.Error(), "email_1") {
				assert.Equal(t, "email_1", dup.Index, "the message names the index: %v", dup.Err)
			} else {
				assert.Empty(t, dup.Index, "the message names no index: %v", dup.Err)
				t.Logf("the server's message names no index: %v", dup.Err)
			}
		})
	}
	n, err := members.CountDocuments(ctx, bson.D{{Key: "email", Value: "ada@x"}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	got, err := members.FindByID(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, "grace@x", got.Email, "nothing was written")
}
