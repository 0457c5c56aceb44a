package schema

// The tag parser and the checks of one spec, for the fuzz tests of
// package schema_test, which compare what they accept with diff (a layer
// above this one).
var (
	ParseTagValue   = parseTagValue
	Assemble        = assemble
	CheckSpec       = checkSpec
	CheckSearchSpec = checkSearchSpec
)

// Member is one field's part in a tag-declared index, for Assemble.
type Member = member
