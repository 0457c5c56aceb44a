package servererr

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

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
