package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestClassifyServer reads the buildInfo replies servers gave: FerretDB
// v1 (the embedded server) names ferretdbVersion; FerretDB v2 on
// DocumentDB a ferretdb document (../shared server notes); MongoDB
// neither. Only v1 lacks atomic filtered writes (TestFilteredWriteRaces
// measures it).
func TestClassifyServer(t *testing.T) {
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
			lacks, name := classifyServer(raw)
			assert.Equal(t, tt.lacks, lacks)
			assert.Equal(t, tt.withName, name)
		})
	}
}

// TestDuplicateIndex reads index names from the duplicate key messages
// servers write.
func TestDuplicateIndex(t *testing.T) {
	tests := []struct {
		collection, msg, want string
	}{
		{"users", `E11000 duplicate key error collection: app.users index: email_1 dup key: { email: "a@x" }`, "email_1"},
		{"users", `E11000 duplicate key error collection: app.users`, ""},
		{"members", `[collection.go:177 sqlite.(*collection).UpdateAll.func1] constraint failed: UNIQUE constraint failed: index 'members_2f7a0c1d_email_1' (2067)`, "email_1"},
		{"t1_members", `constraint failed: UNIQUE constraint failed: index 't1_members_0a1b2c3d_idx_x_unique' (2067)`, "idx_x_unique"},
		{"members", `UNIQUE constraint failed: index 'other_2f7a0c1d_email_1'`, ""},
		{"users", `ERROR: duplicate key value violates unique constraint "email_1" (SQLSTATE 23505)`, "email_1"},
		{"members", `Duplicate key violation on the requested collection: Index 'email_1'`, "email_1"},
		{"members", `conflicting key value violates exclusion constraint "documents_rum_index_1422"`, ""},
		{"users", `something else`, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, DuplicateIndex(tt.collection, tt.msg), tt.msg)
	}
}
