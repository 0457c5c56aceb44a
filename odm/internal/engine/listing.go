package engine

import (
	"bytes"
	"context"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/servererr"
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

// listIndexes lists the collection's index documents. A collection that
// does not exist has none (MongoDB answers NamespaceNotFound).
func listIndexes(ctx context.Context, coll *mongo.Collection) ([]bson.Raw, error) {
	return listIndexesLike(ctx, coll, nil)
}

// listIndexesLike is listIndexes of a collection whose listing is likely
// to equal last, the one its declarations were last compared with (see
// compareWith): the documents equal to last's, in order, are not copied,
// and a listing equal throughout is last itself. In the steady state,
// where a server lists the same bytes at every start, the listing then
// allocates nothing of its own, which the bare driver's copy of each
// document does.
func listIndexesLike(ctx context.Context, coll *mongo.Collection, last []bson.Raw) ([]bson.Raw, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		if code, ok := servererr.Code(err); ok && code == servererr.CodeNamespaceNotFound {
			return nil, nil
		}
		return nil, err
	}
	defer cur.Close(ctx)
	var out []bson.Raw // nil while every document equals last's
	same := 0          // documents equal to last's so far
	for cur.Next(ctx) {
		if out == nil && same < len(last) && bytes.Equal(cur.Current, last[same]) {
			same++
			continue
		}
		if out == nil {
			out = append(make([]bson.Raw, 0, same+4), last[:same]...)
		}
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	if out == nil { // last, or the start of it: fewer documents listed
		return last[:same:same], nil
	}
	return out, nil
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
