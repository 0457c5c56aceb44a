// The rules of the temporary index a rebuild goes behind: its name and
// spec, whether a listed index is Init's own leftover, and whether a
// listed index is hidden. The planner's decisions (decide.go) and the
// rebuild steps (rebuild_order.go) use them.

package engine

import (
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

// temporarySuffix ends the name of the temporary index a rebuild creates
// so that queries keep an index while the declared one builds: the
// declared name followed by this suffix. An index so named, next to a
// declared index of the base name, is Init's own: Init drops it whatever
// the options (after the round's creations, or last in a rebuild under
// ConflictRebuild that resumes), so that an interrupted rebuild leaves
// nothing behind.
const temporarySuffix = ".odm-rebuild"

// temporaryBase is the declared name a temporary index stands in for;
// false when name is not a temporary index's.
func temporaryBase(name string) (string, bool) {
	base, ok := strings.CutSuffix(name, temporarySuffix)
	return base, ok && base != ""
}

// listedHidden reports whether a change's listed index is hidden.
func listedHidden(c diff.IndexChange) bool {
	return c.ListedOption("hidden") == "true"
}

// temporarySpec is the index that serves the declared index's queries
// while it builds: its keys followed by _id, so that the server accepts
// it beside the declared one, with its collation, partial filter, sparse
// and hidden flags. It enforces no uniqueness and expires nothing. Only
// plain ascending and descending keys without _id qualify: a special
// key's index cannot take a suffix the same way.
func temporarySpec(spec schema.IndexSpec) (schema.IndexSpec, bool) {
	for _, k := range spec.Keys {
		if k.Type.Special() || k.Field == "_id" || strings.Contains(k.Field, "$**") {
			return schema.IndexSpec{}, false
		}
	}
	tmp := spec
	tmp.Name = spec.IndexName() + temporarySuffix
	tmp.Keys = append(slices.Clone(spec.Keys), schema.Asc("_id"))
	tmp.Unique, tmp.ExpireAfter = false, nil
	return tmp, true
}

// orderedTemporary is the temporary index of a conflict's rebuild when it
// goes in order: the keys differ and the declared keys allow it.
func orderedTemporary(c diff.IndexChange) (schema.IndexSpec, bool) {
	if c.DeclaredSpec == nil || !keysDiffer(c) {
		return schema.IndexSpec{}, false
	}
	return temporarySpec(*c.DeclaredSpec)
}

// keysDiffer: the listed index of a conflict has other keys under the
// declared name, the one case where a temporary index can be built beside
// it. With the same keys the server refuses a second index; under another
// name (ListedName) the listed index serves the queries until dropped.
func keysDiffer(c diff.IndexChange) bool {
	return c.ListedName == "" && slices.ContainsFunc(c.Differences, func(d diff.Difference) bool { return d.Field == "key" })
}
