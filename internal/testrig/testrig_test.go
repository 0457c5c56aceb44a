package testrig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestRecognise(t *testing.T) {
	for _, tt := range []struct {
		info  string
		major int
		name  string
	}{
		// FerretDB v2.5.0 on DocumentDB, as recorded.
		{`{"version": "7.0.77", "ferretdb": {"version": "v2.5.0"}, "ok": 1}`, 2, "FerretDB v2.5.0 (wire-compatible with MongoDB 7.0.77)"},
		{`{"version": "7.0.42", "ferretdbVersion": "v1.24.0", "ok": 1}`, 1, "FerretDB v1.24.0 (wire-compatible with MongoDB 7.0.42)"},
		{`{"version": "8.0.4", "ok": 1}`, 0, "MongoDB 8.0.4"},
	} {
		var raw bson.Raw
		require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.info), false, &raw))
		major, name := Recognise(raw)
		assert.Equal(t, tt.major, major)
		assert.Equal(t, tt.name, name)
	}
}
