// Package items holds versions of one "items" collection's model, for
// tests of processes with different declarations starting together (a
// rolling deploy).
package items

// Old is the old version: by_a {a: 1}, by_c {c: 1}.
type Old struct {
	A string `bson:"a" odm:"index:by_a"`
	B string `bson:"b"`
	C string `bson:"c" odm:"index:by_c"`
}

// CollectionName names the collection.
func (Old) CollectionName() string { return "items" }

// New is the new version: both indexes change their keys, so rebuilding
// one and not the other is a mix no version declares.
type New struct {
	A string `bson:"a" odm:"index:by_a,priority:1"`
	B string `bson:"b" odm:"index:by_a,priority:2"`
	C string `bson:"c" odm:"index:by_c,sort:desc"`
}

// CollectionName names the collection.
func (New) CollectionName() string { return "items" }

// Slim is the old version less by_c.
type Slim struct {
	A string `bson:"a" odm:"index:by_a"`
	B string `bson:"b"`
	C string `bson:"c"`
}

// CollectionName names the collection.
func (Slim) CollectionName() string { return "items" }

// Versions are the versions by name.
var Versions = map[string]any{"old": Old{}, "new": New{}, "slim": Slim{}}

// Mixed is a mix no version declares: by_a of New, by_c of Old. A
// collection left like this calls for a rebuild from either version.
type Mixed struct {
	A string `bson:"a" odm:"index:by_a,priority:1"`
	B string `bson:"b" odm:"index:by_a,priority:2"`
	C string `bson:"c" odm:"index:by_c"`
}

// CollectionName names the collection.
func (Mixed) CollectionName() string { return "items" }
