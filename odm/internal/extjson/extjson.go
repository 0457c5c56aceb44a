package extjson

import (
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Format renders v on one line: a bson.D as compact relaxed extended JSON
// (its printed Go form when it holds a value BSON cannot encode), a string
// quoted, anything else as fmt.Sprint gives it.
func Format(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case bson.D:
		raw, err := bson.MarshalExtJSON(v, false, false)
		if err != nil {
			return fmt.Sprint([]bson.E(v)) // bson.D's own String is empty then
		}
		return string(raw)
	}
	return fmt.Sprint(v)
}
