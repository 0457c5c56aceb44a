package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// A step is one change the executor sends: a command, or a few that
// belong together. Each kind is its own small type, as the planner makes
// them; a new kind of change is a new type here.
type step interface {
	// run sends the step's commands.
	run(ctx context.Context, x *executor) (stepResult, error)
	// names are the indexes or options the step changes, for messages.
	names() []string
	// destructive: the step drops an index, which the executor does only
	// under the collection's lease.
	destructive() bool
}

// stepResult is what a step achieved.
type stepResult struct {
	changed bool // the server accepted a change
	// confirmed: the server's answer proves the change was made, so no
	// listing is needed to check it.
	confirmed bool
	// replan: the round ends here; the next listing shows what to do.
	replan bool
}

// createCollectionStep creates the collection with its declared options.
// When the server refuses an option for lack of the feature, it tries
// again without it (SkipUnsupported) or fails. Another process creating
// the collection first is no error: the next round compares what it made.
type createCollectionStep struct{}

func (createCollectionStep) names() []string   { return []string{"the collection"} }
func (createCollectionStep) destructive() bool { return false }

func (createCollectionStep) run(ctx context.Context, x *executor) (stepResult, error) {
	doc := x.decl.Shape.Document()
	for {
		cmd := append(bson.D{{Key: "create", Value: x.coll.Name()}}, doc...)
		x.log(ctx, slog.LevelDebug, "odm: create", slog.Int("options", len(doc)))
		err := x.db.RunCommand(ctx, cmd).Err()
		if err == nil {
			return stepResult{changed: true, replan: true}, nil
		}
		if code, ok := servererr.Code(err); ok && code == servererr.CodeNamespaceExists {
			return stepResult{changed: true, replan: true}, nil
		}
		option := ""
		if x.server.Classify(ctx, err, nil) == serverprofile.ClassUnsupported {
			option = refusedOption(err, doc)
		}
		if option == "" {
			return stepResult{}, &outcome.IndexError{Collection: x.coll.Name(), Op: "create", Err: err}
		}
		group := optionGroup(option)
		if rerr := x.skipOption(ctx, group, err); rerr != nil {
			return stepResult{}, rerr
		}
		doc = slices.DeleteFunc(doc, func(e bson.E) bool { return slices.Contains(group, e.Key) })
	}
}

// refusedOption is the option a create refusal names, or else the first.
func refusedOption(err error, doc bson.D) string {
	msg := err.Error()
	for _, e := range doc {
		if strings.Contains(msg, e.Key) {
			return e.Key
		}
	}
	if len(doc) > 0 {
		return doc[0].Key
	}
	return ""
}

// optionGroup is the options that go together: a validator with its
// level and action.
func optionGroup(option string) []string {
	switch option {
	case "validator", "validationLevel", "validationAction":
		return []string{"validator", "validationLevel", "validationAction"}
	case "timeseries", "expireAfterSeconds":
		return []string{"timeseries", "expireAfterSeconds"}
	case "capped", "size", "max":
		return []string{"capped", "size", "max"}
	}
	return []string{option}
}

// modifyCollectionStep changes collection options with collMod: the
// validator with its level and action in one command, each other option
// in its own. Every refusal for lack of a feature is gathered, so the
// error names each option refused.
type modifyCollectionStep struct{ mods []diff.OptionChange }

func (s modifyCollectionStep) destructive() bool { return false }

func (s modifyCollectionStep) names() []string {
	out := make([]string, len(s.mods))
	for i, m := range s.mods {
		out[i] = "option " + m.Option
	}
	return out
}

func (s modifyCollectionStep) run(ctx context.Context, x *executor) (stepResult, error) {
	cmds, groups := collModCommands(x.decl.Shape.Document(), s.mods)
	var res stepResult
	var refused []error
	for i, cmd := range cmds {
		if err := x.checkValidatorKeywords(ctx, cmd); err != nil {
			if err := x.skipOption(ctx, groups[i], err); err != nil {
				refused = append(refused, err)
			}
			continue
		}
		full := append(bson.D{{Key: "collMod", Value: x.coll.Name()}}, cmd...)
		x.log(ctx, slog.LevelDebug, "odm: collMod", slog.String("option", cmd[0].Key))
		err := sharding.ReplyError(x.db.RunCommand(ctx, full)) // per shard, under a mongos's raw
		switch {
		case err == nil:
			res.changed = true
			for _, o := range groups[i] {
				if !slices.Contains(x.modified, o) {
					x.modified = append(x.modified, o)
				}
			}
		case x.server.Classify(ctx, err, nil) == serverprofile.ClassUnsupported:
			if err := x.skipOption(ctx, groups[i], err); err != nil {
				refused = append(refused, err)
			}
		default:
			return res, &outcome.IndexError{Collection: x.coll.Name(), Op: "collMod", Err: err}
		}
	}
	return res, errors.Join(refused...)
}

// collModCommands renders the collMod commands for the options, with the
// option group each changes.
func collModCommands(want bson.D, mods []diff.OptionChange) ([]bson.D, [][]string) {
	value := func(k string) any {
		for _, e := range want {
			if e.Key == k {
				return e.Value
			}
		}
		return nil
	}
	var cmds []bson.D
	var groups [][]string
	validatorDone := false
	for _, m := range mods {
		var cmd bson.D
		switch m.Option {
		case "validator", "validationLevel", "validationAction":
			if validatorDone {
				continue
			}
			validatorDone = true
			cmd = bson.D{{Key: "validator", Value: value("validator")}, {Key: "validationLevel", Value: value("validationLevel")}, {Key: "validationAction", Value: value("validationAction")}}
			if value("validator") == nil { // the model declares none: remove the listed one
				cmd = bson.D{{Key: "validator", Value: bson.D{}}, {Key: "validationLevel", Value: schema.LevelStrict}, {Key: "validationAction", Value: schema.ActionError}}
			}
		case "changeStreamPreAndPostImages":
			cmd = bson.D{{Key: m.Option, Value: bson.D{{Key: "enabled", Value: m.Declared == "enabled"}}}}
		case "expireAfterSeconds":
			v := value("expireAfterSeconds")
			if v == nil {
				v = "off"
			}
			cmd = bson.D{{Key: "expireAfterSeconds", Value: v}}
		case "timeseries.granularity":
			cmd = bson.D{{Key: "timeseries", Value: bson.D{{Key: "granularity", Value: m.Declared}}}}
		case "size":
			cmd = bson.D{{Key: "cappedSize", Value: value("size")}}
		case "max":
			cmd = bson.D{{Key: "cappedMax", Value: value("max")}}
		default:
			continue
		}
		cmds = append(cmds, cmd)
		groups = append(groups, optionGroup(m.Option))
	}
	return cmds, groups
}

// createIndexesStep sends the missing indexes in one createIndexes. If
// the server refuses it for lack of a feature, it sends the indexes that
// use no optional feature together, then the others one by one to tell
// which it refuses; refused over duplicated data, it sends all of them one
// by one. It gathers every refusal.
type createIndexesStep struct{ specs []schema.IndexSpec }

func (s createIndexesStep) names() []string   { return names(s.specs) }
func (s createIndexesStep) destructive() bool { return false }

func (s createIndexesStep) run(ctx context.Context, x *executor) (stepResult, error) {
	res := stepResult{confirmed: serverprofile.Confirmable(s.specs)}
	singles := s.specs
	if len(s.specs) > 1 {
		ok, err := x.createIndexes(ctx, s.specs)
		if err == nil {
			return stepResult{changed: true, confirmed: ok && serverprofile.Confirmable(s.specs)}, nil
		}
		if !slices.ContainsFunc(s.specs, func(sp schema.IndexSpec) bool { return x.refusal(ctx, err, sp) }) {
			return stepResult{}, err
		}
		singles = x.createPlainFirst(ctx, err, s.specs, &res)
	}
	var refused []error
	for _, spec := range singles {
		ok, err := x.createIndexes(ctx, []schema.IndexSpec{spec})
		if err == nil {
			res.changed = true
			res.confirmed = res.confirmed && ok
			continue
		}
		switch x.server.Classify(ctx, err, &spec) {
		case serverprofile.ClassUnsupported:
			if err := x.skip(ctx, spec, err, spec.Features()); err != nil {
				refused = append(refused, err)
			}
		case serverprofile.ClassDuplicates:
			refused = append(refused, x.duplicates(ctx, spec, err))
		default:
			return stepResult{changed: res.changed}, err
		}
	}
	if err := errors.Join(refused...); err != nil {
		return stepResult{changed: res.changed}, err
	}
	return res, nil
}

// createPlainFirst follows a batch the server refused (batchErr) for lack
// of a feature one of its indexes uses: it sends the indexes that use no
// optional feature (Features is empty) in one createIndexes, and returns
// those left to send one by one. A server that lacks partial indexes, say,
// then costs one command per index that has a feature, not one per index.
// Whatever goes wrong sends every index one by one, as before.
func (x *executor) createPlainFirst(ctx context.Context, batchErr error, specs []schema.IndexSpec, res *stepResult) []schema.IndexSpec {
	var plain, featured []schema.IndexSpec
	for _, sp := range specs {
		if len(sp.Features()) == 0 {
			plain = append(plain, sp)
		} else {
			featured = append(featured, sp)
		}
	}
	lacking := slices.ContainsFunc(featured, func(sp schema.IndexSpec) bool {
		return x.server.Classify(ctx, batchErr, &sp) == serverprofile.ClassUnsupported
	})
	if len(plain) < 2 || !lacking {
		return specs // one plain index costs a command either way
	}
	ok, err := x.createIndexes(ctx, plain)
	if err != nil {
		return specs
	}
	res.changed = true
	res.confirmed = res.confirmed && ok
	return featured
}

// collModStep changes an index in place with collMod, one option a
// command: expireAfterSeconds, hidden, and unique (after prepareUnique,
// which makes the index refuse new duplicates while the conversion checks
// old ones).
type collModStep struct{ change diff.IndexChange }

func (s collModStep) names() []string   { return []string{s.change.Name} }
func (s collModStep) destructive() bool { return false }

func (s collModStep) run(ctx context.Context, x *executor) (stepResult, error) {
	spec := *s.change.DeclaredSpec
	for _, d := range s.change.Differences {
		var cmds []bson.D
		switch d.Field {
		case "expireAfterSeconds":
			secs, _ := spec.ExpireSeconds()
			cmds = []bson.D{{{Key: "expireAfterSeconds", Value: secs}}}
		case "hidden":
			cmds = []bson.D{{{Key: "hidden", Value: spec.Hidden}}}
		case "unique":
			cmds = []bson.D{{{Key: "prepareUnique", Value: true}}, {{Key: "unique", Value: true}}}
		}
		for _, opt := range cmds {
			index := append(bson.D{{Key: "name", Value: s.change.Name}}, opt...)
			cmd := bson.D{{Key: "collMod", Value: x.coll.Name()}, {Key: "index", Value: index}}
			x.log(ctx, slog.LevelDebug, "odm: collMod", slog.String("index", s.change.Name), slog.String("option", opt[0].Key))
			err := sharding.ReplyError(x.db.RunCommand(ctx, cmd)) // per shard, under a mongos's raw
			if err == nil {
				continue
			}
			err = &outcome.IndexError{Collection: x.coll.Name(), Indexes: []string{s.change.Name}, Op: "collMod", Err: err}
			switch x.server.Classify(ctx, err, &spec) {
			case serverprofile.ClassUnsupported:
				return stepResult{}, x.skip(ctx, spec, err, []string{"collMod"})
			case serverprofile.ClassDuplicates:
				return stepResult{}, x.duplicates(ctx, spec, err)
			}
			return stepResult{}, err
		}
	}
	return stepResult{changed: true}, nil
}

// rebuildStep replaces a conflicting listed index by its declaration. It
// lists the indexes again right before dropping, and drops only if the
// listed index still differs from the declaration: another process may
// have rebuilt it meanwhile. For a unique index it first checks that the
// data holds no duplicate keys. Drop and create go back to back, so the
// collection lacks the index only while the new one builds.
type rebuildStep struct {
	change   diff.IndexChange
	diffOpts []diff.Option
}

func (s rebuildStep) names() []string   { return []string{s.change.Name} }
func (s rebuildStep) destructive() bool { return true }

func (s rebuildStep) run(ctx context.Context, x *executor) (stepResult, error) {
	spec := *s.change.DeclaredSpec
	listedName := s.change.Name
	if s.change.ListedName != "" {
		listedName = s.change.ListedName
	}
	if ok, res, err := x.readyToRebuild(ctx, s.change, s.diffOpts); !ok {
		return res, err
	}
	x.log(ctx, slog.LevelWarn, "odm: rebuilding index", slog.String("index", s.change.Name), slog.String("differences", s.change.Summary()))
	if _, err := (dropStep{name: listedName}).run(ctx, x); err != nil {
		return stepResult{}, err
	}
	res, err := createIndexesStep{specs: []schema.IndexSpec{spec}}.run(ctx, x)
	res.changed = true
	return res, err
}

// dropStep drops one index. IndexNotFound means another process dropped
// it first: progress, not failure.
type dropStep struct{ name string }

func (s dropStep) names() []string   { return []string{s.name} }
func (s dropStep) destructive() bool { return true }

func (s dropStep) run(ctx context.Context, x *executor) (stepResult, error) {
	x.log(ctx, slog.LevelDebug, "odm: dropIndexes", slog.String("index", s.name))
	err := x.coll.Indexes().DropOne(ctx, s.name)
	if err != nil && x.server.Classify(ctx, err, nil) != serverprofile.ClassGone {
		return stepResult{}, &outcome.IndexError{Collection: x.coll.Name(), Indexes: []string{s.name}, Op: "dropIndexes", Err: err}
	}
	return stepResult{changed: true}, nil
}

func names(specs []schema.IndexSpec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.IndexName()
	}
	return out
}

// checkDuplicates looks for two documents with the same keys among those a
// unique index would cover.
func (x *executor) checkDuplicates(ctx context.Context, spec schema.IndexSpec) error {
	group := bson.D{}
	var exists bson.A
	for i, k := range spec.Keys {
		group = append(group, bson.E{Key: fmt.Sprintf("k%d", i), Value: "$" + k.Field})
		exists = append(exists, bson.D{{Key: k.Field, Value: bson.D{{Key: "$exists", Value: true}}}})
	}
	var pipeline []bson.D
	switch {
	case spec.PartialFilter != nil:
		pipeline = append(pipeline, bson.D{{Key: "$match", Value: spec.PartialFilter}})
	case spec.Sparse:
		pipeline = append(pipeline, bson.D{{Key: "$match", Value: bson.D{{Key: "$or", Value: exists}}}})
	}
	pipeline = append(pipeline,
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: group}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "count", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
		bson.D{{Key: "$limit", Value: 1}},
	)
	cur, err := x.coll.Aggregate(ctx, pipeline)
	if err != nil {
		return &outcome.IndexError{Collection: x.coll.Name(), Indexes: []string{spec.IndexName()}, Op: "aggregate", Err: err}
	}
	defer cur.Close(ctx)
	if !cur.Next(ctx) {
		return cur.Err()
	}
	var dup struct {
		ID    bson.Raw `bson:"_id"`
		Count int64    `bson:"count"`
	}
	if err := cur.Decode(&dup); err != nil {
		return err
	}
	sample := bson.D{}
	for i, k := range spec.Keys {
		sample = append(sample, bson.E{Key: k.Field, Value: dup.ID.Lookup(fmt.Sprintf("k%d", i))})
	}
	return &outcome.DuplicateDataError{Collection: x.coll.Name(), Index: spec.IndexName(), Sample: sample, Count: dup.Count}
}

// checkValidatorKeywords refuses, before it is sent, a validator the
// server would store and then use to refuse every write: one with
// $jsonSchema keywords its profile says it does not understand.
func (x *executor) checkValidatorKeywords(ctx context.Context, cmd bson.D) error {
	if cmd[0].Key != "validator" {
		return nil
	}
	v, ok := cmd[0].Value.(bson.D)
	if !ok || len(v) == 0 || v[0].Key != "$jsonSchema" {
		return nil
	}
	prof, err := x.server.Profile(ctx)
	if err != nil {
		return nil // the server's answer to collMod decides
	}
	bad := prof.RefusedSchemaKeywords(v[0].Value)
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("the server (%s) stores a $jsonSchema validator with %s and then refuses every write (Unknown $jsonSchema keyword); not sent",
		prof.Name, strings.Join(bad, ", "))
}
