package engine

import (
	"context"
	"log/slog"

	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// HideUndeclared makes Init hide, instead of drop, the indexes no model
// declares (collMod with index.hidden, MongoDB 4.4 and later): the query
// planner stops using them, the server keeps maintaining them, and
// unhiding one (collMod hidden: false, or declaring it again with the
// same keys) brings it back at once, where a dropped index takes a full
// build. The same indexes as DropUndeclared's are concerned (never _id_).
//
// Given with DropUndeclared, Init drops the undeclared indexes that are
// already hidden and hides the others: each removal then takes two runs,
// the index hidden by the first and dropped by a later one, with the time
// in between to see whether any query missed it. That is the safe way to
// remove an index; a service can keep both options on.
//
// A server without hidden indexes or collMod refuses the hide: Init fails
// with an *UnsupportedError, or with SkipUnsupported reports the index
// Skipped and keeps it.
func HideUndeclared() Option { return func(c *Config) { c.hideUndeclared = true } }

// hideStep hides one undeclared index with collMod. IndexNotFound means
// another process dropped it first: progress, not failure.
type hideStep struct{ name string }

func (s hideStep) names() []string   { return []string{s.name} }
func (s hideStep) destructive() bool { return false }

func (s hideStep) run(ctx context.Context, x *executor) (stepResult, error) {
	cmd := bson.D{{Key: "collMod", Value: x.coll.Name()},
		{Key: "index", Value: bson.D{{Key: "name", Value: s.name}, {Key: "hidden", Value: true}}}}
	x.log(ctx, slog.LevelDebug, "odm: collMod", slog.String("index", s.name), slog.String("option", "hidden"))
	err := x.db.RunCommand(ctx, cmd).Err()
	if err == nil {
		x.refused.hid = setIn(x.refused.hid, s.name, true)
		return stepResult{changed: true}, nil
	}
	err = &outcome.IndexError{Collection: x.coll.Name(), Indexes: []string{s.name}, Op: "collMod", Err: err}
	switch x.server.Classify(ctx, err, nil) {
	case serverprofile.ClassGone:
		return stepResult{changed: true}, nil
	case serverprofile.ClassUnsupported:
		return stepResult{}, x.skip(ctx, schema.IndexSpec{Name: s.name}, err, []string{"hidden"})
	}
	return stepResult{}, err
}
