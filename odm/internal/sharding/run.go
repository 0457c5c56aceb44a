package sharding

import (
	"context"
	"fmt"
	"slices"

	"github.com/tagodm/tagodm/odm/internal/shardkey"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Session is one Init's sharding work: the deployment, found once per
// client, and the options. A nil Session does nothing and sends nothing.
type Session struct {
	opts            Options
	db              *mongo.Database
	server          Server
	skipUnsupported bool
	dryRun          bool
}

// Begin starts the sharding work of one Init. It sends nothing, and
// returns nil, when the policy is Off or when no model declares a key and
// no sharding option was given: Init on models without a key sends what
// it always sent. Otherwise it detects the deployment (once per client)
// and, on DocumentDB, checks every declared key against DocumentDB's
// rules, returning a *schema.ValidationError before any change.
func Begin(ctx context.Context, o Options, db *mongo.Database, cols []*schema.Declared, skipUnsupported, dryRun bool) (*Session, error) {
	switch o.Mode {
	case "", shard.Off, shard.Report, shard.Empty, shard.Populated:
	default:
		return nil, fmt.Errorf("odm: unknown shard policy %q", o.Mode)
	}
	declares := slices.ContainsFunc(cols, func(d *schema.Declared) bool { return d.ShardKey != nil })
	if o.Mode == shard.Off || o.Mode == "" && !o.Verify && !declares {
		return nil, nil
	}
	srv, err := detect(ctx, db.Client())
	if err != nil {
		return nil, err
	}
	if srv.DocumentDB() {
		var problems []schema.Problem
		for _, d := range cols {
			problems = append(problems, schema.DocumentDBShardKeyProblems(d)...)
		}
		if len(problems) > 0 {
			return nil, &schema.ValidationError{Problems: problems}
		}
	}
	return &Session{opts: o, db: db, server: srv, skipUnsupported: skipUnsupported, dryRun: dryRun}, nil
}

// Server is the deployment the session found; the zero Server for nil.
func (s *Session) Server() Server {
	if s == nil {
		return Server{}
	}
	return s.server
}

// Covers reports whether Run has anything to read or do for the
// collection before its indexes: a key declared, or a sharding option
// given.
func (s *Session) Covers(d *schema.Declared) bool {
	return s != nil && (d.ShardKey != nil || s.opts.Mode != "" || s.opts.Verify)
}

// Plan reads the collection's key and decides its step (plan.go). It
// returns a nil plan for a collection it does not cover; res is the
// result a dry run reports, which Apply completes. The error is an
// *Error, with res Failed.
func (s *Session) Plan(ctx context.Context, d *schema.Declared) (st State, p *shard.Plan, res *shard.Result, err error) {
	if !s.Covers(d) {
		return State{}, nil, nil, nil
	}
	ns := s.db.Name() + "." + d.Collection
	if st, err = readState(ctx, s.db, d, s.server); err != nil {
		return st, nil, &shard.Result{Outcome: shard.Failed, Reason: err.Error()}, err
	}
	if p = decide(d, st, s.server, s.opts, ns); p == nil {
		return st, nil, nil, nil
	}
	return st, p, &shard.Result{Key: p.Key, Listed: p.Listed, Action: p.Action, Outcome: shard.Planned, Reason: p.Detail}, nil
}

// Changes reports whether applying p sends a command that changes the
// deployment, which the caller runs under the collection's lease.
func Changes(p *shard.Plan) bool {
	switch p.Step {
	case shard.StepNone, shard.StepReport, shard.StepHeld, shard.StepFail:
		return false
	}
	return true
}

// Apply carries out the plan's step and completes res: the supporting
// index, then shardCollection (or refineCollectionShardKey under
// AllowRefine). The caller holds the collection's lease when Changes(p).
// The error is a *MismatchError, an *UnsupportedError (the caller may go
// on with the indexes), or an *Error.
func (s *Session) Apply(ctx context.Context, d *schema.Declared, st State, p *shard.Plan, res *shard.Result) error {
	ns := s.db.Name() + "." + d.Collection
	switch p.Step {
	case shard.StepNone:
		res.Outcome = shard.Kept
		if p.Action == shard.Unchanged {
			res.Outcome = shard.Existed
		}
		return nil
	case shard.StepReport:
		return nil
	case shard.StepHeld:
		res.Outcome = shard.Held
		return nil
	case shard.StepFail:
		res.Outcome = shard.Failed
		return &shard.MismatchError{Namespace: ns, Declared: d.ShardKey.KeyDocument(), Unique: d.ShardKey.Unique, Listed: st.Key, ListedUnique: st.Unique}
	}
	k := *d.ShardKey
	built := ""
	if p.Step == shard.StepSupportShard || p.Step == shard.StepRefine {
		if err := s.createSupport(ctx, d); err != nil {
			res.Outcome = shard.Failed
			return err
		}
		built = "after building its supporting index " + supportSpec(d).IndexName()
	}
	op, cmd, done := "shardCollection", s.shardCommand(ns, k, st), shard.Sharded
	if p.Step == shard.StepRefine {
		op, cmd, done = "refineCollectionShardKey", bson.D{{Key: "refineCollectionShardKey", Value: ns}, {Key: "key", Value: keyDoc(k)}}, shard.Refined
	}
	err := s.db.Client().Database("admin").RunCommand(ctx, cmd).Err()
	if err == nil {
		res.Outcome, res.Reason = done, built
		return nil
	}
	return s.refused(ctx, d, op, err, res)
}

// shardCommand is the shardCollection command for the key. The DocumentDB
// gateway takes the key alone.
func (s *Session) shardCommand(ns string, k schema.ShardKey, st State) bson.D {
	cmd := bson.D{{Key: "shardCollection", Value: ns}, {Key: "key", Value: keyDoc(k)}}
	if s.server.Topology != Mongos {
		return cmd
	}
	if k.Unique {
		cmd = append(cmd, bson.E{Key: "unique", Value: true})
	}
	if k.InitialChunks > 0 && k.Hashed() && st.Empty {
		cmd = append(cmd, bson.E{Key: "numInitialChunks", Value: int32(k.InitialChunks)})
	}
	// The key's collation must be simple; stating it lets a collection
	// with another default collation be sharded.
	return append(cmd, bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "simple"}}})
}

// refused turns a refusal of shardCollection or refineCollectionShardKey
// into the result and the error.
func (s *Session) refused(ctx context.Context, d *schema.Declared, op string, err error, res *shard.Result) error {
	ns := s.db.Name() + "." + d.Collection
	k := *d.ShardKey
	res.Outcome, res.Reason = shard.Failed, errorMessage(err)
	switch classify(err) {
	case replyMismatch:
		e := &shard.MismatchError{Namespace: ns, Declared: k.KeyDocument(), Unique: k.Unique, Err: err}
		if st, rerr := readState(ctx, s.db, d, s.server); rerr == nil && st.Sharded {
			e.Listed, e.ListedUnique = st.Key, st.Unique
			res.Listed = shardkey.Format(st.Key, st.Unique)
		}
		res.Action = shard.Mismatch
		return e
	case replyBusy:
		res.Outcome = shard.Busy
		return &shard.Error{Collection: ns, Op: op, Key: shardkey.Format(k.KeyDocument(), k.Unique), Busy: true, Err: err}
	case replyUnsupported:
		res.Action = shard.Unsupported
		if s.skipUnsupported {
			res.Outcome = shard.Skipped
			return nil
		}
		return &shard.UnsupportedError{Collection: ns, Command: op, Err: err}
	}
	return &shard.Error{Collection: ns, Op: op, Key: shardkey.Format(k.KeyDocument(), k.Unique), Err: err}
}

// supportSpec is the index that supports the declared key: the declared
// index on exactly the key, else the first declared index that starts
// with it and may support it, else the key's own index under the name
// shardCollection would give it.
func supportSpec(d *schema.Declared) schema.IndexSpec {
	k := d.ShardKey.KeyDocument()
	var prefixed *schema.IndexSpec
	for i, sp := range d.Specs {
		if sp.Sparse || sp.PartialFilter != nil || sp.Collation != nil || sp.Hidden || !samePrefix(sp.KeyDocument(), k) {
			continue
		}
		if len(sp.Keys) == len(k) {
			return sp
		}
		if prefixed == nil {
			prefixed = &d.Specs[i]
		}
	}
	if prefixed != nil {
		return *prefixed
	}
	return schema.Index(d.ShardKey.Keys...).Named(d.ShardKey.IndexName())
}

// createSupport builds the supporting index before the key needs it.
func (s *Session) createSupport(ctx context.Context, d *schema.Declared) error {
	spec := supportSpec(d)
	cmd := bson.D{{Key: "createIndexes", Value: d.Collection}, {Key: "indexes", Value: bson.A{spec.Document()}}}
	if err := ReplyError(s.db.RunCommand(ctx, cmd)); err != nil {
		return &shard.Error{Collection: s.db.Name() + "." + d.Collection, Op: "createIndexes", Index: spec.IndexName(), Err: err}
	}
	return nil
}
