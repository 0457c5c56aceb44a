package querydoc

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ShardKeyValues are the values a document (as encoded) holds at the shard
// key's fields, in the key's order, for a filter: a field the document
// lacks is null, which matches a missing field as the server places it;
// but a missing or zero ObjectID _id (one yet to be given) is left out.
func ShardKeyValues(k *schema.ShardKey, doc bson.Raw) bson.D {
	vals := make(bson.D, 0, len(k.Keys))
	for _, f := range k.Keys {
		rv, err := doc.LookupErr(strings.Split(f.Field, ".")...)
		switch {
		case err == nil && !(f.Field == "_id" && rv.Type == bson.TypeObjectID && rv.ObjectID().IsZero()):
			vals = append(vals, bson.E{Key: f.Field, Value: rv})
		case f.Field != "_id":
			vals = append(vals, bson.E{Key: f.Field, Value: nil})
		}
	}
	return vals
}

// WithShardKey narrows a single-document write's filter to the shard key
// values vals. A bson.D or bson.M filter gets each key field it does not
// name as one more field, as a hand-written filter would have it; any other
// filter is combined with vals under $and. A key field the filter names
// keeps the filter's condition; when that is a plain value other than the
// one vals holds, the field is among the changed ones returned: the write
// would move the document to another key value (_id aside, which a write
// never changes).
func WithShardKey(filter any, vals bson.D) (any, []string) {
	var lookup func(string) (any, bool)
	switch f := filter.(type) {
	case bson.D:
		lookup = func(k string) (any, bool) {
			i := slices.IndexFunc(f, func(e bson.E) bool { return e.Key == k })
			if i < 0 {
				return nil, false
			}
			return f[i].Value, true
		}
	case bson.M:
		lookup = func(k string) (v any, ok bool) { v, ok = f[k]; return v, ok }
	default:
		return bson.D{{Key: "$and", Value: bson.A{filter, vals}}}, nil
	}
	var add bson.D
	var changed []string
	for _, e := range vals {
		v, named := lookup(e.Key)
		switch {
		case !named:
			add = append(add, e)
		case e.Key != "_id" && !isCondition(v) && !sameValue(v, e.Value):
			changed = append(changed, e.Key)
		}
	}
	if m, ok := filter.(bson.M); ok {
		out := maps.Clone(m)
		for _, e := range add {
			out[e.Key] = e.Value
		}
		return out, changed
	}
	return append(slices.Clip(filter.(bson.D)), add...), changed
}

// isCondition reports a filter value that is a condition ({$in: ...},
// {$gte: ...}) rather than a value to match.
func isCondition(v any) bool {
	t, data, err := bson.MarshalValue(v)
	if err != nil || t != bson.TypeEmbeddedDocument {
		return false
	}
	first, err := bson.Raw(data).IndexErr(0)
	return err == nil && strings.HasPrefix(first.Key(), "$")
}

// sameValue reports that a and b are one value: the same BSON, or numbers
// equal whatever their number types.
func sameValue(a, b any) bool {
	ta, da, errA := bson.MarshalValue(a)
	tb, db, errB := bson.MarshalValue(b)
	if errA != nil || errB != nil {
		return false
	}
	ra, rb := bson.RawValue{Type: ta, Value: da}, bson.RawValue{Type: tb, Value: db}
	if fa, ok := ra.AsFloat64OK(); ok {
		fb, ok := rb.AsFloat64OK()
		return ok && fa == fb
	}
	return ta == tb && bytes.Equal(da, db)
}

// ShardKeyed is filter narrowed to the shard key values of doc, the
// document a single-document write writes (encoded); with loaded, the
// stored document it was read from, to loaded's values instead. changed
// are the key fields whose values the write would change: those doc
// holds otherwise than loaded, and those the filter names otherwise.
func ShardKeyed(k *schema.ShardKey, filter any, loaded, doc bson.Raw) (out any, changed []string) {
	vals := ShardKeyValues(k, doc)
	if loaded != nil {
		before := ShardKeyValues(k, loaded)
		_, changed = WithShardKey(before, vals)
		vals = before
	}
	out, named := WithShardKey(filter, vals)
	return out, append(changed, named...)
}
