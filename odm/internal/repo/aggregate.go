package repo

import (
	"context"

	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/internal/union"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Aggregate is odm.Collection.Aggregate.
func (c *Core[T]) Aggregate(ctx context.Context, pipeline any, opts ...options.Lister[options.AggregateOptions]) (*mongo.Cursor, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, c.NoContext("aggregate")
	}
	if typed, ok := pipeline.(interface{ Stages() ([]bson.D, error) }); ok {
		stages, err := typed.Stages()
		if err != nil {
			return nil, err
		}
		pipeline = stages
	}
	if filter, sort, ok := querydoc.PipelineHead(pipeline); ok {
		parts := pathcheck.Parts{Sort: sort}
		if len(opts) > 0 {
			parts.Collation = applied(opts).Collation
		}
		if _, err := c.CheckQuery("aggregate", filter, parts); err != nil {
			return nil, err
		}
	}
	cur, err := c.coll.Aggregate(ctx, union.ScopePipelineOf(c.model, c.anyVariant, pipeline), opts...)
	if err != nil {
		return nil, c.Wrap("aggregate", err, nil)
	}
	return cur, nil
}
