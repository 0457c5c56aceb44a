// Package planrule holds the rules that decide a change's step where the
// plan and the engine must agree: the temporary index a rebuild goes
// behind, which undeclared index is Init's own leftover, and whether a
// listed index is hidden. The plan (package outcome) prints the step they
// give and the engine takes it; both call these functions, so that what a
// plan says is what Init does. It is an implementation detail.
//
// It imports schema and diff only.
package planrule

import (
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

// TemporarySuffix ends the name of the temporary index a rebuild creates
// so that queries keep an index while the declared one builds: the
// declared name followed by this suffix. An index so named, next to a
// declared index of the base name, is Init's own: Init drops it whatever
// the options (after the round's creations, or last in a rebuild under
// ConflictRebuild that resumes), so that an interrupted rebuild leaves
// nothing behind.
const TemporarySuffix = ".odm-rebuild"

// TemporaryBase is the declared name a temporary index stands in for;
// false when name is not a temporary index's.
func TemporaryBase(name string) (string, bool) {
	base, ok := strings.CutSuffix(name, TemporarySuffix)
	return base, ok && base != ""
}

// ListedHidden reports whether a change's listed index is hidden.
func ListedHidden(c diff.IndexChange) bool {
	return c.ListedShape != nil && c.ListedShape.Options["hidden"] == "true"
}

// TemporarySpec is the index that serves the declared index's queries
// while it builds: its keys followed by _id, so that the server accepts
// it beside the declared one, with its collation, partial filter, sparse
// and hidden flags. It enforces no uniqueness and expires nothing. Only
// plain ascending and descending keys without _id qualify: a special
// key's index cannot take a suffix the same way.
func TemporarySpec(spec schema.IndexSpec) (schema.IndexSpec, bool) {
	for _, k := range spec.Keys {
		if k.Type.Special() || k.Field == "_id" || strings.Contains(k.Field, "$**") {
			return schema.IndexSpec{}, false
		}
	}
	tmp := spec
	tmp.Name = spec.IndexName() + TemporarySuffix
	tmp.Keys = append(slices.Clone(spec.Keys), schema.Asc("_id"))
	tmp.Unique, tmp.ExpireAfter = false, nil
	return tmp, true
}

// OrderedTemporary is the temporary index of a conflict's rebuild when it
// goes in order: the keys differ and the declared keys allow it.
func OrderedTemporary(c diff.IndexChange) (schema.IndexSpec, bool) {
	if c.DeclaredSpec == nil || !keysDiffer(c) {
		return schema.IndexSpec{}, false
	}
	return TemporarySpec(*c.DeclaredSpec)
}

// keysDiffer: the listed index of a conflict has other keys under the
// declared name, the one case where a temporary index can be built beside
// it. With the same keys the server refuses a second index; under another
// name (ListedName) the listed index serves the queries until dropped.
func keysDiffer(c diff.IndexChange) bool {
	return c.ListedName == "" && slices.ContainsFunc(c.Differences, func(d diff.Difference) bool { return d.Field == "key" })
}
