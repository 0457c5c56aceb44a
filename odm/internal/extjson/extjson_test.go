package extjson

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{"a \"b\"", `"a \"b\""`},
		{bson.D{{Key: "a", Value: int32(1)}, {Key: "b", Value: "<x>"}}, `{"a":1,"b":"<x>"}`},
		{bson.D{{Key: "n", Value: int64(3)}, {Key: "d", Value: bson.D{{Key: "f", Value: 1.5}}}}, `{"n":3,"d":{"f":1.5}}`},
		{int32(-1), "-1"},
		{true, "true"},
		// A document BSON cannot encode still prints, in its Go form.
		{bson.D{{Key: "c", Value: make(chan int)}}, "[{c "},
	} {
		got := Format(tt.v)
		if d, ok := tt.v.(bson.D); ok && len(d) == 1 && d[0].Key == "c" {
			assert.Contains(t, got, tt.want)
			continue
		}
		assert.Equal(t, tt.want, got)
	}
}
