package querydoc

import "go.mongodb.org/mongo-driver/v2/bson"

// The top-level fields of a repository's filters, read without a server.

// NamesID reports a bson.D or bson.M filter with a top-level _id.
func NamesID(filter any) bool {
	switch f := filter.(type) {
	case bson.D:
		for _, e := range f {
			if e.Key == "_id" {
				return true
			}
		}
	case bson.M:
		_, ok := f["_id"]
		return ok
	case map[string]any:
		_, ok := f["_id"]
		return ok
	}
	return false
}

// WithoutField removes a top-level field from a bson.D or bson.M filter,
// returning its value and the filter's _id, when given.
func WithoutField(filter any, field string) (rest, value, id any, found bool) {
	switch f := filter.(type) {
	case bson.D:
		out := bson.D{}
		for _, e := range f {
			if e.Key == "_id" {
				id = e.Value
			}
			if e.Key == field {
				value, found = e.Value, true
				continue
			}
			out = append(out, e)
		}
		return out, value, id, found
	case bson.M:
		out := bson.M{}
		for k, v := range f {
			if k != field {
				out[k] = v
			}
		}
		value, found = f[field]
		return out, value, f["_id"], found
	}
	return nil, nil, nil, false
}
