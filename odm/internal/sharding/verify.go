package sharding

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Verify checks, under VerifyAcrossShards and on a mongos only, that the
// indexes of a sharded collection are alike on its shards:
// checkMetadataConsistency with checkIndexes on 7.0 and later, else
// $indexStats, grouped per index as the manual's pipeline does. It runs
// after the collection's index changes (a check concurrent with index
// builds gives false positives). What it finds is repaired with the
// declared index's createIndexes or collMod, unless dryRun. Without the
// privilege to check, it records why in Verified and returns nil.
func (s *Session) Verify(ctx context.Context, d *schema.Declared, res *shard.Result) error {
	if s == nil || !s.opts.Verify || res == nil {
		return nil
	}
	if s.server.Topology != Mongos {
		res.Verified = "not checked: " + s.server.Topology.String() + " has no per-shard indexes to compare"
		return nil
	}
	if res.Listed == "" && res.Outcome != shard.Sharded && res.Outcome != shard.Refined {
		return nil // not sharded: one shard holds it all
	}
	drift, how, err := s.inconsistencies(ctx, d.Collection)
	if err != nil {
		if unauthorized(err) || classify(err) == replyUnsupported {
			res.Verified = "not checked: " + errorMessage(err)
			return nil
		}
		return &shard.Error{Collection: s.db.Name() + "." + d.Collection, Op: how, Err: err}
	}
	res.Verified, res.Drift = how, drift
	if s.dryRun {
		return nil
	}
	for i := range res.Drift {
		if err := s.repair(ctx, d, &res.Drift[i]); err != nil {
			return err
		}
	}
	return nil
}

// inconsistencies asks the cluster which indexes differ between shards.
func (s *Session) inconsistencies(ctx context.Context, coll string) ([]shard.Drift, string, error) {
	if s.server.Major >= 7 {
		cmd := bson.D{{Key: "checkMetadataConsistency", Value: coll}, {Key: "checkIndexes", Value: true}}
		cur, err := s.db.RunCommandCursor(ctx, cmd)
		if err != nil {
			return nil, "checkMetadataConsistency", err
		}
		var docs []bson.Raw
		for cur.Next(ctx) {
			docs = append(docs, slices.Clone(cur.Current))
		}
		if err := cur.Err(); err != nil {
			return nil, "checkMetadataConsistency", err
		}
		return FromMetadataConsistency(docs), "checkMetadataConsistency", nil
	}
	cur, err := s.db.Collection(coll).Aggregate(ctx, mongo.Pipeline{{{Key: "$indexStats", Value: bson.D{}}}})
	if err != nil {
		return nil, "$indexStats", err
	}
	var docs []bson.Raw
	for cur.Next(ctx) {
		docs = append(docs, slices.Clone(cur.Current))
	}
	if err := cur.Err(); err != nil {
		return nil, "$indexStats", err
	}
	return FromIndexStats(docs), "$indexStats", nil
}

// FromMetadataConsistency reads checkMetadataConsistency's inconsistency
// documents: each InconsistentIndex becomes a Drift; other types are
// not about indexes and are left out.
func FromMetadataConsistency(docs []bson.Raw) []shard.Drift {
	var out []shard.Drift
	for _, doc := range docs {
		if str(doc, "type") != "InconsistentIndex" {
			continue
		}
		info, _ := doc.Lookup("details", "info").DocumentOK()
		d := shard.Drift{Index: str(info, "indexName"), MissingFrom: strings1(info.Lookup("missingFromShards"))}
		if props, ok := info.Lookup("inconsistentProperties").ArrayOK(); ok {
			vals, _ := props.Values()
			for _, v := range vals {
				if p, ok := v.DocumentOK(); ok && !slices.Contains(d.Properties, str(p, "k")) {
					d.Properties = append(d.Properties, str(p, "k"))
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// FromIndexStats groups $indexStats documents (one per index per shard)
// by index: the shards that list no such index, and the properties whose
// values differ between the shards' specs.
func FromIndexStats(docs []bson.Raw) []shard.Drift {
	var shards, names []string
	specs := map[string]map[string]bson.Raw{} // index -> shard -> spec
	for _, doc := range docs {
		name, shard := str(doc, "name"), str(doc, "shard")
		if !slices.Contains(shards, shard) {
			shards = append(shards, shard)
		}
		if specs[name] == nil {
			specs[name] = map[string]bson.Raw{}
			names = append(names, name)
		}
		specs[name][shard], _ = doc.Lookup("spec").DocumentOK()
	}
	sort.Strings(shards)
	var out []shard.Drift
	for _, name := range names {
		d := shard.Drift{Index: name}
		for _, sh := range shards {
			if _, ok := specs[name][sh]; !ok {
				d.MissingFrom = append(d.MissingFrom, sh)
			}
		}
		d.Properties = differing(specs[name])
		if len(d.MissingFrom) > 0 || len(d.Properties) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// differing are the spec fields whose values are not alike on every
// shard, sorted.
func differing(byShard map[string]bson.Raw) []string {
	values := map[string]map[string]bool{}
	for _, spec := range byShard {
		elems, _ := spec.Elements()
		for _, e := range elems {
			if values[e.Key()] == nil {
				values[e.Key()] = map[string]bool{}
			}
			values[e.Key()][normal(e.Value())] = true
		}
	}
	var out []string
	for k, vs := range values {
		missing := false
		for _, spec := range byShard {
			if _, err := spec.LookupErr(k); err != nil {
				missing = true
			}
		}
		if len(vs) > 1 || missing {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// normal renders a value so that numbers of different types compare.
func normal(v bson.RawValue) string {
	if f, ok := v.AsFloat64OK(); ok {
		return fmt.Sprint(f)
	}
	return v.String()
}

func strings1(v bson.RawValue) []string {
	arr, ok := v.ArrayOK()
	if !ok {
		return nil
	}
	vals, _ := arr.Values()
	var out []string
	for _, x := range vals {
		if s, ok := x.StringValueOK(); ok {
			out = append(out, s)
		}
	}
	return out
}

// repair sends the declared index again: createIndexes for shards that
// miss it (those that have it answer that it exists), collMod for a TTL
// that differs. Other differences are left for an operator.
func (s *Session) repair(ctx context.Context, d *schema.Declared, drift *shard.Drift) error {
	i := slices.IndexFunc(d.Specs, func(sp schema.IndexSpec) bool { return sp.IndexName() == drift.Index })
	if i < 0 {
		drift.Reason = "not declared: left as it is"
		return nil
	}
	spec := d.Specs[i]
	ns := s.db.Name() + "." + d.Collection
	var cmds []bson.D
	if len(drift.MissingFrom) > 0 {
		cmds = append(cmds, bson.D{{Key: "createIndexes", Value: d.Collection}, {Key: "indexes", Value: bson.A{spec.Document()}}})
	}
	other := slices.DeleteFunc(slices.Clone(drift.Properties), func(p string) bool { return p == "expireAfterSeconds" })
	if secs, ttl := spec.ExpireSeconds(); ttl && len(other) < len(drift.Properties) {
		cmds = append(cmds, bson.D{{Key: "collMod", Value: d.Collection}, {Key: "index", Value: bson.D{
			{Key: "name", Value: spec.IndexName()}, {Key: "expireAfterSeconds", Value: secs}}}})
	}
	for _, cmd := range cmds {
		if err := ReplyError(s.db.RunCommand(ctx, cmd)); err != nil {
			return &shard.Error{Collection: ns, Op: cmd[0].Key + " (repair across shards)", Index: drift.Index, Err: err}
		}
	}
	drift.Repaired = len(cmds) > 0 && len(other) == 0
	if len(other) > 0 {
		drift.Reason = "left for an operator: " + strings.Join(other, ", ") + " cannot be changed in place"
	}
	return nil
}
