package serverprofile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestLacksAtomicity reads the buildInfo replies servers gave: FerretDB
// v1 (the embedded server) names ferretdbVersion; FerretDB v2 on
// DocumentDB a ferretdb document (../shared server notes); MongoDB
// neither. Only v1 lacks atomic filtered writes (TestFilteredWriteRaces
// measures it).
func TestLacksAtomicity(t *testing.T) {
	tests := []struct {
		name     string
		reply    bson.D
		lacks    bool
		withName string
	}{
		{"FerretDB v1", bson.D{{Key: "version", Value: "7.0.42"}, {Key: "ferretdbVersion", Value: "v1.24.0"}, {Key: "ok", Value: 1.0}}, true, "FerretDB v1 (v1.24.0)"},
		{"FerretDB v2", bson.D{{Key: "version", Value: "7.0.77"}, {Key: "ferretdb", Value: bson.D{{Key: "version", Value: "v2.5.0"}}}, {Key: "ok", Value: 1.0}}, false, ""},
		{"MongoDB", bson.D{{Key: "version", Value: "8.0.4"}, {Key: "gitVersion", Value: "bc35ab4"}, {Key: "ok", Value: 1.0}}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := bson.Marshal(tt.reply)
			require.NoError(t, err)
			lacks, name := lacksAtomicity(FromBuildInfo(raw))
			assert.Equal(t, tt.lacks, lacks)
			assert.Equal(t, tt.withName, name)
		})
	}
}
