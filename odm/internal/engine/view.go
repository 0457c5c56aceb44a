package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/internal/views"
	"github.com/tagodm/tagodm/odm/outcome"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// runView brings a declared view to its definition: created when
// missing, its source and pipeline changed in place by collMod when they
// differ, nothing when they match. Its one change is an option change
// named "view", decided by optionStep: a collection holding the name is
// a conflict, which no policy drops.
func (x *executor) runView(ctx context.Context) (outcome.CollectionReport, outcome.CollectionPlan, error) {
	plan := outcome.CollectionPlan{Collection: x.coll.Name()}
	err := x.convergeView(ctx, x.decl.View.Document())
	if x.planned != nil {
		plan.Options = x.planned.options
	}
	if err != nil && plan.Options == nil {
		plan.Error = err.Error()
	}
	return x.report(err), plan, err
}

// convergeView lists, decides and sends once, then lists again: a view
// still not as declared after the server's ok is one the server does not
// keep (a server may take create's viewOn and make a plain collection).
func (x *executor) convergeView(ctx context.Context, want bson.D) error {
	for sent := false; ; sent = true {
		info, err := listCollection(ctx, x.db, x.coll.Name())
		if err != nil {
			return &outcome.IndexError{Collection: x.coll.Name(), Op: "listCollections", Err: err}
		}
		c := viewChange(want, info)
		c.Step = x.planner.optionStep(&c)
		if x.planned == nil {
			x.planned = &round{}
			if c.Action != diff.Unchanged {
				x.planned.options = []diff.OptionChange{c}
			}
		}
		switch step := stepOf(c.Step); {
		case x.cfg.dryRun || step == diff.StepNone:
			return nil
		case sent:
			return x.skipOption(ctx, []string{"view"}, fmt.Errorf("the server answered ok and lists %s", c.Listed))
		case step == diff.StepKeep:
			x.warnKept(ctx, &round{options: []diff.OptionChange{c}})
			return nil
		case step == diff.StepFail:
			return &outcome.ConflictError{Collection: x.coll.Name(), Options: []diff.OptionChange{c}}
		}
		cmd := views.Create(x.coll.Name(), want)
		if c.Step == diff.StepCollMod {
			cmd = views.CollMod(x.coll.Name(), want)
		}
		x.log(ctx, slog.LevelDebug, "odm: "+cmd[0].Key, slog.String("view", c.Declared))
		if err := x.db.RunCommand(ctx, cmd).Err(); err != nil {
			if x.server.Classify(ctx, err, nil) == serverprofile.ClassUnsupported {
				return x.skipOption(ctx, []string{"view"}, err)
			}
			return &outcome.IndexError{Collection: x.coll.Name(), Op: cmd[0].Key, Err: err}
		}
	}
}

// viewChange is the view's change as the plan shows it.
func viewChange(want bson.D, info *CollectionInfo) diff.OptionChange {
	s, declared, listed := views.Compare(want, info.Exists, info.Kind, info.Options)
	action := map[views.State]diff.Action{views.Missing: diff.Create, views.Same: diff.Unchanged,
		views.Differs: diff.ModifyInPlace, views.NotAView: diff.Conflict}[s]
	return diff.OptionChange{Option: "view", Action: action, Declared: declared, Listed: listed}
}
