package shardkey

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestFormat: a key renders as mongosh takes it, whatever number type the
// server answered with, quoting the field names mongosh needs quoted.
func TestFormat(t *testing.T) {
	tests := []struct {
		key    bson.D
		unique bool
		want   string
	}{
		{bson.D{{Key: "tenant", Value: int32(1)}}, false, "{tenant: 1}"},
		{bson.D{{Key: "tenant", Value: 1.0}, {Key: "at", Value: int64(-1)}}, true, "{tenant: 1, at: -1} (unique)"},
		{bson.D{{Key: "user", Value: "hashed"}}, false, `{user: "hashed"}`},
		{bson.D{{Key: "created.at", Value: 1}, {Key: "a b", Value: -1.0}}, false, `{"created.at": 1, "a b": -1}`},
		{bson.D{}, false, "{}"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Format(tt.key, tt.unique))
	}
	assert.Equal(t, "-1", Value(int32(-1)))
	assert.Equal(t, "1", Value(1.0))
}
