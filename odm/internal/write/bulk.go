package write

import (
	"bytes"
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// OpOutcome is what a bulk write's reply says of one of its operations.
type OpOutcome struct {
	// Err is the operation's error: its write error (as a
	// mongo.BulkWriteException holding that one, so that the classifiers
	// of a single write's error read it alike), notRun for an operation
	// an ordered bulk did not reach, or, when the
	// bulk failed without the server's report per operation, the bulk's
	// error.
	Err error
	// UpsertedID is the _id an upsert inserted.
	UpsertedID any
	// InsertedID is the _id of an inserted document, when the driver
	// tells it.
	InsertedID any
}

// Outcomes splits the reply of a bulk write of n operations (the driver's
// BulkWrite result and error) into each operation's outcome. A write
// concern error is the bulk's, not an operation's: it is left to the
// caller. notRun is the error of the operations an ordered bulk did not
// reach.
func Outcomes(n int, ordered bool, res *mongo.BulkWriteResult, err, notRun error) []OpOutcome {
	out := make([]OpOutcome, n)
	if res != nil {
		for i, id := range res.UpsertedIDs {
			if i >= 0 && int(i) < n {
				out[i].UpsertedID = id
			}
		}
	}
	if err == nil {
		return out
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	first := n
	for _, we := range bwe.WriteErrors {
		if we.Index >= 0 && we.Index < n {
			out[we.Index].Err = mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{we}, Labels: bwe.Labels}
			first = min(first, we.Index)
		}
	}
	for i := first + 1; ordered && i < n; i++ {
		out[i].Err = notRun
	}
	return out
}

// ReadBack reads, after a bulk write, the documents whose _id is among
// ids, by IDKey. A document absent from the map is not stored.
func ReadBack(ctx context.Context, coll *mongo.Collection, ids []any) (map[string]bson.Raw, error) {
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	out := make(map[string]bson.Raw, len(ids))
	for cur.Next(ctx) {
		if id, err := cur.Current.LookupErr("_id"); err == nil {
			out[rawKey(id)] = slices.Clone(cur.Current)
		}
	}
	return out, cur.Err()
}

// Holds tells whether stored holds every field of set, byte for byte, and
// none of unset: whether a replace's $set and $unset are what is stored.
func Holds(stored bson.Raw, set, unset bson.D) bool {
	for _, e := range set {
		want, ok := e.Value.(bson.RawValue)
		got, err := stored.LookupErr(e.Key)
		if !ok || err != nil || got.Type != want.Type || !bytes.Equal(got.Value, want.Value) {
			return false
		}
	}
	for _, e := range unset {
		if _, err := stored.LookupErr(e.Key); err == nil {
			return false
		}
	}
	return true
}

// IDKey is id as a key of StoredRevisions' map: its BSON type and bytes;
// "" when it does not encode.
func IDKey(id any) string {
	t, b, err := bson.MarshalValue(id)
	if err != nil {
		return ""
	}
	return rawKey(bson.RawValue{Type: t, Value: b})
}

func rawKey(v bson.RawValue) string { return string(rune(v.Type)) + string(v.Value) }
