package testmodels

import "github.com/tagodm/tagodm/odm/schema"

// The recursive models: a struct type recurs within itself through a
// slice (TreeNode), a pointer (ListNode) or another type (MutualA and
// MutualB). The tests of Init on recursive models and of the schema they
// generate use them.

// TreeNode recurs through a slice of itself; its Indexes names a path two
// levels down.
type TreeNode struct {
	Name string     `bson:"name" odm:"index;required"`
	Kids []TreeNode `bson:"kids"`
}

// Validator asks for TreeNode's generated schema.
func (TreeNode) Validator() schema.Validator { return schema.Validator{} }

// Indexes declares an index on the grandchildren's names.
func (TreeNode) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("kids.kids.name")).Named("grandchildren")}
}

// ListNode recurs through a pointer to itself.
type ListNode struct {
	V    int       `bson:"v" odm:"index"`
	Next *ListNode `bson:"next,omitempty"`
}

// Validator asks for ListNode's generated schema.
func (ListNode) Validator() schema.Validator { return schema.Validator{} }

// MutualA recurs through MutualB, which holds MutualA again.
type MutualA struct {
	B    *MutualB `bson:"b"`
	Name string   `bson:"name"`
}

// Validator asks for MutualA's generated schema.
func (MutualA) Validator() schema.Validator { return schema.Validator{} }

// MutualB holds MutualA in a slice and as map values.
type MutualB struct {
	X  string             `bson:"x" odm:"index"`
	As []MutualA          `bson:"as"`
	M  map[string]MutualA `bson:"m"`
}
