package engine

import (
	"context"

	"github.com/tagodm/tagodm/odm/diff"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// A listing is what the server holds for one collection: its index
// documents and, when the planner needs it, what listCollections says of
// the collection.
type listing struct {
	indexes    []bson.Raw
	collection *CollectionInfo // nil when not listed
}

// listIndexes is the executor's one source of index listings: the first
// may have been read ahead by the collection's worker (listAhead, taken
// once); every other is the server's.
func (x *executor) listIndexes(ctx context.Context) ([]bson.Raw, error) {
	if f := x.readAhead; f != nil {
		x.readAhead = nil
		return f.indexes, f.err
	}
	return listIndexes(ctx, x.coll)
}

// listIndexes lists the collection's index documents. A collection that
// does not exist has none (MongoDB answers NamespaceNotFound).
func listIndexes(ctx context.Context, coll *mongo.Collection) ([]bson.Raw, error) {
	return listIndexesLike(ctx, coll, nil)
}

// rawDocuments reads a listing cursor to the end, copying each document
// (the cursor reuses its buffer), and closes it.
func rawDocuments(ctx context.Context, cur *mongo.Cursor) ([]bson.Raw, error) {
	defer cur.Close(ctx)
	var out []bson.Raw
	for cur.Next(ctx) {
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	return out, cur.Err()
}

// CollectionInfo is what listCollections says of one collection.
type CollectionInfo struct {
	Exists  bool
	Kind    string   // "collection", "timeseries", "view"
	Options bson.Raw // the options document
}

// listCollection lists one collection by name.
func listCollection(ctx context.Context, db *mongo.Database, name string) (*CollectionInfo, error) {
	specs, err := db.ListCollectionSpecifications(ctx, bson.D{{Key: "name", Value: name}})
	if err != nil {
		return nil, err
	}
	for _, sp := range specs {
		if sp.Name == name {
			return &CollectionInfo{Exists: true, Kind: sp.Type, Options: sp.Options}, nil
		}
	}
	return &CollectionInfo{}, nil
}

// TimeSeries returns a TimeSeries option for a time series collection.
func (i *CollectionInfo) TimeSeries() diff.Option {
	if i == nil || i.Kind != "timeseries" || i.Options == nil {
		return nil
	}
	ts, ok := i.Options.Lookup("timeseries").DocumentOK()
	if !ok {
		return nil
	}
	timeField, _ := ts.Lookup("timeField").StringValueOK()
	metaField, _ := ts.Lookup("metaField").StringValueOK()
	return diff.TimeSeries(timeField, metaField)
}
