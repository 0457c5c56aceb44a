package odm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

// Every message the library prints carries its "odm: " prefix once, at
// the front, however many of its own errors it wraps: the typical
// failures of a declaration, of Init, of a repository and of a query.
func TestErrorsCarryOnePrefix(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	_, err := db.Collection("orders").Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "status", Value: 1}}, Options: options.Index().SetName("custom_status"),
	})
	require.NoError(t, err)
	_, err = odm.Init(ctx, db, member{})
	require.NoError(t, err)
	members, err := odm.NewCollection[member](db)
	require.NoError(t, err)
	_, err = members.InsertOne(ctx, &member{Email: "ada@x"})
	require.NoError(t, err)

	noField := query.F[member](func(*member) *int { return nil })
	var nilCtx context.Context // a nil context is a failure under test
	tests := []struct {
		name string
		err  func() error
		is   any // an error type the message must still reach, or nil
	}{
		{"Validate: one bad tag", func() error { return odm.Validate(typoClause{}) }, new(*schema.ValidationError)},
		{"Validate: several", func() error { return odm.Validate(typoClause{}, typoOption{}, badPanics{}) }, new(*schema.ValidationError)},
		{"Validate: a nil model", func() error { return odm.Validate(nil) }, new(*schema.ValidationError)},
		{"Declared: not a struct", func() error { _, err := odm.Declared(42); return err }, new(*schema.ValidationError)},
		{"Init: a bad declaration", func() error { _, err := odm.Init(ctx, db, typoOption{}); return err }, new(*schema.ValidationError)},
		{"Init: a conflict", func() error { _, err := odm.Init(ctx, db, plainModel{}); return err }, new(*outcome.ConflictError)},
		{"Plan: a nil database", func() error { _, err := odm.Plan(ctx, nil, member{}); return err }, nil},
		{"Plan: a bad declaration", func() error { _, err := odm.Plan(ctx, db, typoClause{}); return err }, new(*schema.ValidationError)},
		{"Init: a nil database", func() error { _, err := odm.Init(ctx, nil, member{}); return err }, nil},
		{"Init: a nil context", func() error { _, err := odm.Init(nilCtx, db, member{}); return err }, nil},
		{"Init: a cancelled context", func() error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			_, err := odm.Init(c, db, member{})
			return err
		}, nil},
		{"NewCollection: a nil database", func() error { _, err := odm.NewCollection[member](nil); return err }, nil},
		{"NewCollection: a bad model", func() error { _, err := odm.NewCollection[typoClause](db); return err }, new(*schema.ValidationError)},
		{"NewCollection: not a struct", func() error { _, err := odm.NewCollection[int](db); return err }, nil},
		{"NewCollectionIn: a bad name", func() error { _, err := odm.NewCollectionIn[member](db, "a$b"); return err }, nil},
		{"a write refused by the path check", func() error {
			_, err := members.UpdateOne(ctx, bson.D{{Key: "emial", Value: "ada@x"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 1}}}})
			return err
		}, new(*query.PathError)},
		{"an update refused by the path check", func() error {
			_, err := members.UpdateOne(ctx, bson.D{{Key: "email", Value: "ada@x"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "aeg", Value: 1}}}})
			return err
		}, new(*query.PathError)},
		{"a pipeline stage refused", func() error {
			_, err := members.UpdateOne(ctx, bson.D{{Key: "email", Value: "ada@x"}}, []any{query.Set(noField, 1)})
			return err
		}, nil},
		{"a sort refused by the path check", func() error {
			_, err := members.Find(ctx, nil, options.Find().SetSort(bson.D{{Key: "aeg", Value: 1}}))
			return err
		}, new(*query.PathError)},
		{"a typed filter on no field", func() error { _, err := members.Find(ctx, query.Eq(noField, 1)); return err }, nil},
		{"a query of a typed filter on no field", func() error { _, err := members.Query(query.Eq(noField, 1)).All(ctx); return err }, nil},
		{"a duplicate key", func() error { _, err := members.InsertOne(ctx, &member{Email: "ada@x"}); return err }, new(*odm.DuplicateKeyError)},
		{"a nil document", func() error { _, err := members.InsertOne(ctx, nil); return err }, nil},
		{"a nil context on a write", func() error { _, err := members.DeleteOne(nilCtx, bson.D{}); return err }, nil},
		{"a negative limit", func() error { _, err := members.Query(nil).Limit(-1).All(ctx); return err }, nil},
		{"a zero query", func() error { _, err := odm.Query[member]{}.Count(ctx); return err }, nil},
		{"a server error", func() error {
			_, err := members.Find(ctx, bson.D{{Key: "email", Value: bson.D{{Key: "$nosuchop", Value: 1}}}})
			return err
		}, nil},
		{"Aggregate: a pipeline's head", func() error {
			_, err := odm.Aggregate[bson.D](ctx, members, mongo.Pipeline{{{Key: "$match", Value: bson.D{{Key: "aeg", Value: 1}}}}})
			return err
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			require.Error(t, err)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "odm: "), "the prefix at the front: %q", msg)
			assert.Equal(t, 1, strings.Count(msg, "odm: "), "one prefix: %q", msg)
			if tt.is != nil {
				assert.True(t, errors.As(err, tt.is), "the wrapped error stays reachable: %T", err)
			}
		})
	}
}
