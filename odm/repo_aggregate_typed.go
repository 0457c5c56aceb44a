package odm

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm/agg"
	"github.com/tagodm/tagodm/odm/internal/repo"
)

// RunPipeline runs the typed pipeline p on the collection and reads
// every result as an R, the type p yields; a pipeline built on another
// model than T does not compile. It runs through Collection.Aggregate:
// p's error (a reference that names no field, a stage refused for its
// shape) is returned before any command, and its leading $match and
// $sort are path-checked and recorded for coverage as a raw pipeline's
// are. No result is an empty slice. For a cursor, pass p to
// Collection.Aggregate.
func RunPipeline[T, R any](ctx context.Context, c *Collection[T], p agg.Pipeline[T, R], opts ...options.Lister[options.AggregateOptions]) ([]R, error) {
	out, err := repo.Aggregate[R](ctx, c.core(), p, opts...)
	if err == nil && out == nil {
		out = []R{}
	}
	return out, err
}
