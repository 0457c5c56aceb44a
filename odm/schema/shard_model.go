package schema

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/extjson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// describeShardKey reads a model's shard key (ShardKey(), or one field's
// shard tag) and checks it with the struct, options and unique indexes.
func describeShardKey(zero reflect.Value, st *reflectx.Struct, tagged []reflectx.Field, m *Model, problem func(Problem)) {
	var k *ShardKey
	if decl, ok := zero.Interface().(ShardKeyDeclarer); ok {
		var declared ShardKey
		if err := callUser(func() { declared = decl.ShardKey() }); err != nil {
			problem(Problem{Field: "ShardKey()", Message: err.Error()})
			return
		}
		declared.Keys, declared.origin = slices.Clone(declared.Keys), origin{goType: m.Type.String(), field: "ShardKey()"}
		k = &declared
	}
	for _, f := range tagged {
		if ft, _ := parseTag(string(f.Tag)); ft.shard != "" {
			at := Problem{Field: f.GoPath, Tag: f.Tag.Get(TagKey), Message: "the model declares its shard key with ShardKey() already; drop this tag or the method"}
			if k == nil {
				k = &ShardKey{Keys: []IndexKey{{Field: f.Path, Type: ft.shard}}, origin: origin{goType: m.Type.String(), field: f.GoPath, tag: at.Tag}}
				continue
			} else if k.origin.tag != "" {
				at.Message = fmt.Sprintf("a shard key of several fields is declared with a ShardKey() method (odm.Shard with the fields in order), not with tags; %s is tagged shard already", k.origin.field)
			}
			problem(at)
		}
	}
	if m.ShardKey = k; k == nil {
		return
	}
	for _, msg := range checkShardKey(*k, st, cmp.Or(m.Options, &CollectionOptions{})) {
		problem(Problem{Field: k.origin.field, Tag: k.origin.tag, Message: msg})
	}
	if m.Revision != "" && slices.ContainsFunc(k.Keys, func(f IndexKey) bool { return f.Field == m.Revision }) {
		problem(Problem{Field: k.origin.field, Tag: k.origin.tag, Message: fmt.Sprintf("the revision field %s cannot be in the shard key: every write changes it", m.Revision)})
	}
	for _, p := range uniqueOffKey(k, m.Indexes) {
		problem(p)
	}
}

// checkShardKey checks a shard key: fields of the struct, none an array
// nor under one, ascending or hashed, at most one hashed; its options;
// and what the collection's options allow.
func checkShardKey(k ShardKey, st *reflectx.Struct, o *CollectionOptions) []string {
	var msgs []string
	add := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	seen, hashed := map[string]bool{}, 0
	for i, f := range k.Keys {
		switch {
		case f.Type != KeyAscending && f.Type != KeyHashed:
			add("shard key field %s is %v: a shard key field is ascending (schema.Asc) or hashed (schema.Hashed)", f.Field, f.Type.Value())
		case seen[f.Field]:
			add("shard key field %s appears twice", f.Field)
		case !st.Lookup(f.Field):
			add("shard key field %s names no field of the struct", f.Field)
		}
		if seen[f.Field] = true; f.Type == KeyHashed {
			hashed++
		}
		chain, _ := st.Chain(f.Field)
		for j, c := range chain {
			if types, _, _ := storedAs(c.Type); slices.Contains(types, "array") {
				add("shard key field %s: %s holds an array (%v), and a shard key field can be neither an array nor under one (a multikey index cannot support a shard key)", f.Field, pathOf(chain[:j+1]), c.Type)
				break
			}
		}
		if ts := o.TimeSeries; ts != nil {
			switch {
			case ts.MetaField != "" && (f.Field == ts.MetaField || strings.HasPrefix(f.Field, ts.MetaField+".")):
			case f.Field == ts.TimeField && i < len(k.Keys)-1:
				add("the time field %s can only be the last field of a time series collection's shard key (MongoDB: 5914000)", f.Field)
			case f.Field != ts.TimeField:
				add("shard key field %s: a time series collection's shard key holds only the meta field (%s), its subfields and, last, the time field (MongoDB: 5914001)", f.Field, cmp.Or(ts.MetaField, "none declared"))
			}
		}
	}
	switch {
	case len(k.Keys) == 0:
		add("a shard key needs at least one field")
	case hashed > 1:
		add("a shard key can have one hashed field; %d given", hashed)
	case hashed > 0 && k.Unique:
		add("a hashed shard key cannot be unique (MongoDB: InvalidOptions 72); declare a unique index on the field instead (a uniqueIndex tag)")
	case k.InitialChunks < 0 || k.InitialChunks > 0 && hashed == 0:
		add("InitialChunks (%d) applies to a hashed shard key only, and is not negative (MongoDB: InvalidOptions 72)", k.InitialChunks)
	}
	if o.Capped != nil {
		add("a capped collection cannot be sharded (MongoDB: InvalidOptions 72, \"can't shard a capped collection\")")
	}
	return msgs
}

// uniqueOffKey reports the unique indexes the server would refuse beside
// the key: a unique index starts with _id or with the key's fields (by
// name, whatever the directions).
func uniqueOffKey(k *ShardKey, specs []IndexSpec) []Problem {
	var problems []Problem
	for _, s := range specs {
		if s.Unique && len(s.Keys) > 0 && s.Keys[0].Field != "_id" && !prefixedBy(s.Keys, k.Keys) {
			problems = append(problems, Problem{GoType: s.origin.goType, Field: s.origin.field, Tag: s.origin.tag, Index: s.IndexName(),
				Message: fmt.Sprintf("unique index %s does not start with the shard key %s (declared at %s): on a sharded collection a unique index must start with the key's fields or with _id (MongoDB: CannotCreateIndex 67)",
					extjson.Format(s.KeyDocument()), extjson.Format(k.KeyDocument()), k.origin)})
		}
	}
	return problems
}

// mergeShardKey takes a model's shard key into its collection's, after
// its type: the models of a collection declare one key, or none does.
func mergeShardKey(c *Declared, m *Model) []Problem {
	k, first := m.ShardKey, len(c.types) == 1
	if first {
		c.ShardKey = k
	}
	if first || k == c.ShardKey || k != nil && c.ShardKey != nil && slices.Equal(k.Keys, c.ShardKey.Keys) && k.Unique == c.ShardKey.Unique && k.InitialChunks == c.ShardKey.InitialChunks {
		return nil
	}
	describe := func(k *ShardKey) string {
		if k == nil {
			return "none"
		}
		return fmt.Sprintf("%s (unique %t, initial chunks %d)", extjson.Format(k.KeyDocument()), k.Unique, k.InitialChunks)
	}
	at := Problem{GoType: m.Type.String(), Collection: c.Collection, Field: "ShardKey()", Message: fmt.Sprintf(
		"models that share a collection declare the same shard key: this one declares %s, and %s declares %s", describe(k), c.types[0], describe(c.ShardKey))}
	if k != nil {
		at.Field, at.Tag = k.origin.field, k.origin.tag
	}
	return []Problem{at}
}

// supportShardKey declares the index that supports the collection's shard
// key when no declared index can: the one shardCollection builds on an
// empty collection, with its name and spec (unique with a unique key, the
// simple collation on a collection with another default), so that a later
// run finds it as declared. The _id index supports a key on _id alone; a
// time series collection's key is left to the server.
func supportShardKey(c *Declared) []Problem {
	k, o := c.ShardKey, &CollectionOptions{}
	if c.Shape != nil {
		o = cmp.Or(c.Shape.Options, o)
	}
	collated, supported := o.Collation != nil && o.Collation.Locale != "simple", false
	for i := range c.Specs {
		if k != nil && supportsShardKey(c.Specs[i], k, collated) {
			c.Specs[i].shardKey, supported = true, true
		}
	}
	if k == nil || supported || o.TimeSeries != nil || slices.Equal(k.Keys, []IndexKey{Asc("_id")}) {
		return nil
	}
	support := IndexSpec{Keys: slices.Clone(k.Keys), Unique: k.Unique, origin: k.origin, shardKey: true}
	if collated {
		support.Collation = &options.Collation{Locale: "simple"}
	}
	for _, s := range c.Specs {
		if s.IndexName() == support.IndexName() || patternKey(s) == patternKey(support) {
			return []Problem{{GoType: s.origin.goType, Field: s.origin.field, Tag: s.origin.tag, Collection: c.Collection, Index: s.IndexName(), Message: fmt.Sprintf(
				"no declared index can support the shard key %s (declared at %s), and Init cannot declare %s for it beside this index, which has that name or those keys: "+
					"make this one support the key (the key first, ascending where the key is ranged, unique for a unique key; not sparse, partial, hidden, collated, text, geo nor wildcard)",
				extjson.Format(k.KeyDocument()), k.origin, support)}}
		}
	}
	c.Specs = append(c.Specs, support)
	return nil
}

// supportsShardKey reports an index the server takes as the shard key's:
// the key's fields first, ascending where ranged, hashed where hashed; not
// sparse, partial, hidden, collated (a collection's default counts), text,
// geo or wildcard; for a unique key, the key alone and unique.
func supportsShardKey(s IndexSpec, k *ShardKey, collated bool) bool {
	ok := prefixedBy(s.Keys, k.Keys) && !s.Sparse && !s.Hidden && s.PartialFilter == nil && (!k.Unique || len(s.Keys) == len(k.Keys) && s.Unique) &&
		(s.Collation == nil && !collated || s.Collation != nil && s.Collation.Locale == "simple")
	for i, f := range s.Keys {
		ok = ok && (i >= len(k.Keys) || f.Type == k.Keys[i].Type) && (f.plugin() == "" || f.Type == KeyHashed)
	}
	return ok
}

// SupportsShardKey reports an index of Collect's (and odm.Declared's) that
// supports its collection's shard key: never called redundant.
func (s IndexSpec) SupportsShardKey() bool { return s.shardKey }

// DocumentDBShardKeyProblems are the problems of a collection's shard key
// that DocumentDB (the engine of Azure DocumentDB) adds to MongoDB's
// rules: it shards on a hashed key only, without unique or initial chunks,
// and it accepts a unique index the key does not prefix, then enforces it
// per key value only, so such an index is refused here instead of weakened
// there.
func DocumentDBShardKeyProblems(d *Declared) []Problem {
	k := d.ShardKey
	if k == nil {
		return nil
	}
	var problems []Problem
	problem := func(msg string) {
		problems = append(problems, Problem{GoType: k.origin.goType, Collection: d.Collection, Field: k.origin.field, Tag: k.origin.tag, Message: msg})
	}
	if !k.Hashed() {
		problem("DocumentDB shards on a hashed key only: declare the key with Hashed")
	}
	if k.Unique {
		problem("DocumentDB has no unique shard keys")
	}
	if k.InitialChunks != 0 {
		problem("DocumentDB takes no initial chunk count")
	}
	for _, s := range d.Specs {
		if s.Unique && !prefixedBy(s.Keys, k.Keys) {
			problems = append(problems, Problem{GoType: s.origin.goType, Collection: d.Collection, Field: s.origin.field, Tag: s.origin.tag,
				Message: fmt.Sprintf("unique index %s does not start with the shard key %s: DocumentDB would accept it and enforce it only among documents with the same key value",
					s.IndexName(), extjson.Format(k.KeyDocument()))})
		}
	}
	return problems
}

// prefixedBy reports that keys start with the fields of prefix, in order
// (types aside: the server's rule is on field names).
func prefixedBy(keys, prefix []IndexKey) bool {
	if len(keys) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if keys[i].Field != p.Field {
			return false
		}
	}
	return true
}
