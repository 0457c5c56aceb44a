package odm_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

// viewSource is the collection the test views read from.
type viewSource struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	Name   string        `bson:"name" odm:"index"`
	Active bool          `bson:"active"`
}

func (viewSource) CollectionName() string { return "view_users" }

// activeUsers is a view of the active users; its pipeline is the running
// test's.
type activeUsers struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Name string        `bson:"name"`
}

var activeUsersPipeline = mongo.Pipeline{
	{{Key: "$match", Value: bson.D{{Key: "active", Value: true}}}},
	{{Key: "$project", Value: bson.D{{Key: "name", Value: 1}}}},
}

func (activeUsers) CollectionName() string { return "active_users" }
func (activeUsers) View() schema.View {
	return schema.View{Source: "view_users", Pipeline: activeUsersPipeline}
}

// activeNames is a view of the view activeUsers.
type activeNames struct {
	Name string `bson:"name"`
}

func (activeNames) CollectionName() string { return "active_names" }
func (activeNames) View() schema.View {
	return schema.View{Source: "active_users", Pipeline: bson.A{bson.D{{Key: "$sort", Value: bson.D{{Key: "name", Value: 1}}}}}}
}

// viewCatalog plays MongoDB's views in front of a server that lacks
// them (serversViews says which): listCollections of a view's name lists
// it as MongoDB does ({name, type: "view", options: {viewOn, pipeline}}),
// create with viewOn and collMod of a view change it, as MongoDB
// documents the commands. Every other command reaches the server.
type viewCatalog struct {
	mu    sync.Mutex
	views map[string]bson.Raw // name -> options
}

func (f *viewCatalog) answer(cmd bson.Raw) bson.D {
	f.mu.Lock()
	defer f.mu.Unlock()
	first := cmd.Index(0)
	name, _ := first.Value().StringValueOK()
	ok := bson.D{{Key: "ok", Value: 1.0}}
	switch first.Key() {
	case "listCollections":
		listed, _ := cmd.Lookup("filter", "name").StringValueOK()
		opts, isView := f.views[listed]
		if !isView {
			return nil
		}
		db, _ := cmd.Lookup("$db").StringValueOK()
		doc := bson.D{{Key: "name", Value: listed}, {Key: "type", Value: "view"}, {Key: "options", Value: opts}, {Key: "info", Value: bson.D{{Key: "readOnly", Value: true}}}}
		return bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)}, {Key: "ns", Value: db + ".$cmd.listCollections"}, {Key: "firstBatch", Value: bson.A{doc}}}}, {Key: "ok", Value: 1.0}}
	case "create":
		if _, isView := cmd.LookupErr("viewOn"); isView != nil {
			return nil
		}
		if _, exists := f.views[name]; exists {
			return bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(48)}, {Key: "codeName", Value: "NamespaceExists"}, {Key: "errmsg", Value: "view exists"}}
		}
		f.views[name] = viewOptions(cmd)
		return ok
	case "collMod":
		if _, isView := f.views[name]; !isView {
			return nil
		}
		f.views[name] = viewOptions(cmd)
		return ok
	}
	return nil
}

// viewOptions are the view options of a create or collMod command.
func viewOptions(cmd bson.Raw) bson.Raw {
	d := bson.D{}
	for _, k := range []string{"viewOn", "pipeline", "collation"} {
		if v, err := cmd.LookupErr(k); err == nil {
			d = append(d, bson.E{Key: k, Value: v})
		}
	}
	raw, _ := bson.Marshal(d)
	return raw
}

// viewRecorder keeps the commands a client sends, as the driver's
// command monitor sees them.
type viewRecorder struct {
	mu   sync.Mutex
	cmds []testrig.Command
}

func (r *viewRecorder) started(_ context.Context, e *event.CommandStartedEvent) {
	switch e.CommandName {
	case "hello", "isMaster", "ismaster", "buildInfo", "endSessions", "ping", "saslStart", "saslContinue", "getMore", "killCursors":
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds = append(r.cmds, testrig.Command{Name: e.CommandName, Database: e.DatabaseName, Body: append(bson.Raw(nil), e.Command...)})
}

// Commands are the recorded commands of the given names, all when none.
func (r *viewRecorder) Commands(names ...string) []testrig.Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []testrig.Command
	for _, c := range r.cmds {
		if len(names) == 0 || slices.Contains(names, c.Name) {
			out = append(out, c)
		}
	}
	return out
}

func (r *viewRecorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds = nil
}

// viewClient is a client through a proxy that plays views (viewCatalog),
// its commands recorded with the driver's command monitor.
func viewClient(t *testing.T) (*mongo.Client, *viewRecorder, *viewCatalog) {
	t.Helper()
	f := &viewCatalog{views: map[string]bson.Raw{}}
	p := testrig.StartProxy(t)
	p.Answer(f.answer)
	rec := &viewRecorder{}
	c, err := mongo.Connect(options.Client().ApplyURI(p.URI()).SetMonitor(&event.CommandMonitor{Started: rec.started}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c, rec, f
}

// sentTo are the commands named name whose first value is collection.
func sentTo(rec interface {
	Commands(...string) []testrig.Command
}, name, collection string) []bson.Raw {
	var out []bson.Raw
	for _, c := range rec.Commands(name) {
		if v, _ := c.Body.Lookup(name).StringValueOK(); v == collection {
			out = append(out, c.Body)
		}
	}
	return out
}

// TestViewInitCommands: Init creates a declared view with MongoDB's
// documented command ({create, viewOn, pipeline}) after the collection it
// reads from, and a view of that view after it; a second Init sends no
// create or collMod; a changed pipeline is planned as a collMod, sent as
// {collMod, viewOn, pipeline} (no drop), and the Init after it is steady
// again. Neither FerretDB keeps views, so a proxy plays them.
func TestViewInitCommands(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, rec, _ := viewClient(t)
	db := testrig.Database(t, client)
	saved := activeUsersPipeline
	t.Cleanup(func() { activeUsersPipeline = saved; odm.ForgetDescriptions() })

	rep, err := odm.Init(ctx, db, activeNames{}, activeUsers{}, viewSource{})
	require.NoError(t, err)
	creates := sentTo(rec, "create", "active_users")
	require.Len(t, creates, 1, "one create of the view")
	assert.Equal(t, "view_users", creates[0].Lookup("viewOn").StringValue())
	assert.Equal(t, canonicalPipeline(t, activeUsersPipeline), canonicalValue(creates[0].Lookup("pipeline")))
	assertSentBefore(t, rec, "view_users", "active_users")
	assertSentBefore(t, rec, "active_users", "active_names")
	cr, ok := rep.Collection("active_users")
	require.True(t, ok)
	require.Len(t, cr.Options, 1)
	assert.Equal(t, outcome.Created, cr.Options[0].Outcome)

	rec.Reset()
	_, err = odm.Init(ctx, db, activeNames{}, activeUsers{}, viewSource{})
	require.NoError(t, err)
	assert.Empty(t, rec.Commands("create", "collMod", "drop"), "steady: nothing sent")

	activeUsersPipeline = mongo.Pipeline{{{Key: "$match", Value: bson.D{{Key: "active", Value: false}}}}}
	odm.ForgetDescriptions()
	plan, err := odm.Plan(ctx, db, activeNames{}, activeUsers{}, viewSource{})
	require.NoError(t, err)
	var planned []diff.OptionChange
	for _, c := range plan.Collections {
		if c.Collection == "active_users" {
			planned = c.Options
		}
	}
	require.Len(t, planned, 1, "the plan shows the view's change")
	assert.Equal(t, "view", planned[0].Option)
	assert.Equal(t, diff.ModifyInPlace, planned[0].Action)
	assert.Equal(t, diff.StepCollMod, plan.OptionStep(planned[0]))
	assert.Contains(t, plan.String(), "active_users")

	rec.Reset()
	rep, err = odm.Init(ctx, db, activeNames{}, activeUsers{}, viewSource{})
	require.NoError(t, err)
	mods := sentTo(rec, "collMod", "active_users")
	require.Len(t, mods, 1)
	assert.Equal(t, "view_users", mods[0].Lookup("viewOn").StringValue())
	assert.Equal(t, canonicalPipeline(t, activeUsersPipeline), canonicalValue(mods[0].Lookup("pipeline")))
	assert.Empty(t, rec.Commands("create", "drop"), "changed in place: no drop, no create")
	cr, _ = rep.Collection("active_users")
	require.Len(t, cr.Options, 1)
	assert.Equal(t, outcome.Modified, cr.Options[0].Outcome)

	rec.Reset()
	_, err = odm.Init(ctx, db, activeNames{}, activeUsers{}, viewSource{})
	require.NoError(t, err)
	assert.Empty(t, rec.Commands("create", "collMod", "drop"), "steady after the change")
}

// assertSentBefore: the first command naming before (create or
// createIndexes) was sent before the create of after.
func assertSentBefore(t *testing.T, rec *viewRecorder, before, after string) {
	t.Helper()
	first := func(name string) int {
		for i, c := range rec.Commands("create", "createIndexes") {
			if v, _ := c.Body.Index(0).Value().StringValueOK(); v == name {
				return i
			}
		}
		return -1
	}
	b, a := first(before), first(after)
	require.NotEqual(t, -1, b, "nothing sent for %s", before)
	require.NotEqual(t, -1, a, "nothing sent for %s", after)
	assert.Less(t, b, a, "%s is created after %s", after, before)
}

func canonicalPipeline(t *testing.T, p any) string {
	raw, err := bson.Marshal(bson.D{{Key: "p", Value: p}})
	require.NoError(t, err)
	return canonicalValue(bson.Raw(raw).Lookup("p"))
}

func canonicalValue(v bson.RawValue) string { return testrig.Canonical(v) }

// TestViewOverCollectionConflicts: a declared view whose name a plain
// collection holds is a conflict: Init fails with a *ConflictError naming
// the view under ConflictFail and under ConflictRebuild (a collection is
// never dropped to make room), keeps it under ConflictKeep, and sends no
// create, collMod or drop; the collection keeps its documents.
func TestViewOverCollectionConflicts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, rec, _ := viewClient(t)
	db := testrig.Database(t, client)
	_, err := db.Collection("active_users").InsertOne(ctx, bson.D{{Key: "name", Value: "kept"}})
	require.NoError(t, err)
	for _, policy := range []outcome.ConflictPolicy{outcome.ConflictFail, outcome.ConflictRebuild, outcome.ConflictKeep} {
		rec.Reset()
		rep, err := odm.Init(ctx, db, activeUsers{}, odm.OnConflict(policy))
		if policy == outcome.ConflictKeep {
			require.NoError(t, err)
			cr, _ := rep.Collection("active_users")
			require.Len(t, cr.Options, 1)
			assert.Equal(t, outcome.Kept, cr.Options[0].Outcome)
		} else {
			var ce *outcome.ConflictError
			require.ErrorAs(t, err, &ce, "policy %v", policy)
			require.Len(t, ce.Options, 1)
			assert.Equal(t, "view", ce.Options[0].Option)
			assert.Contains(t, ce.Options[0].Listed, "not a view")
		}
		assert.Empty(t, sentTo(rec, "create", "active_users"), "policy %v", policy)
		assert.Empty(t, rec.Commands("collMod", "drop"), "policy %v", policy)
	}
	n, err := db.Collection("active_users").CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)
}

// TestViewRepositoryReadOnly: every write of a view model's repository
// fails with ErrReadOnlyView, naming the type and that it is a view,
// before any command; reads are sent to the view.
func TestViewRepositoryReadOnly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, rec, _ := viewClient(t)
	db := testrig.Database(t, client)
	views := odm.MustCollection[activeUsers](db)
	doc := &activeUsers{ID: bson.NewObjectID(), Name: "a"}
	filter := bson.D{{Key: "name", Value: "a"}}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "b"}}}}
	change := func(u *activeUsers) error { u.Name = "b"; return nil }
	writes := map[string]func() error{
		"InsertOne":         func() error { return lastErr(views.InsertOne(ctx, doc)) },
		"InsertMany":        func() error { _, err := views.InsertMany(ctx, []activeUsers{*doc}); return err },
		"ReplaceOne":        func() error { _, err := views.ReplaceOne(ctx, filter, doc); return err },
		"ReplaceByID":       func() error { _, err := views.ReplaceByID(ctx, doc); return err },
		"FindOneAndReplace": func() error { _, err := views.FindOneAndReplace(ctx, filter, doc); return err },
		"UpdateOne":         func() error { _, err := views.UpdateOne(ctx, filter, set); return err },
		"UpdateMany":        func() error { _, err := views.UpdateMany(ctx, filter, set); return err },
		"UpdateByID":        func() error { _, err := views.UpdateByID(ctx, doc.ID, set); return err },
		"FindOneAndUpdate":  func() error { _, err := views.FindOneAndUpdate(ctx, filter, set); return err },
		"DeleteOne":         func() error { _, err := views.DeleteOne(ctx, filter); return err },
		"DeleteMany":        func() error { _, err := views.DeleteMany(ctx, filter); return err },
		"DeleteByID":        func() error { _, err := views.DeleteByID(ctx, doc.ID); return err },
		"FindOneAndDelete":  func() error { _, err := views.FindOneAndDelete(ctx, filter); return err },
		"Modify":            func() error { _, err := views.Modify(ctx, filter, change); return err },
		"ModifyByID":        func() error { _, err := views.ModifyByID(ctx, doc.ID, change); return err },
	}
	for name, write := range writes {
		rec.Reset()
		err := write()
		require.ErrorIs(t, err, odm.ErrReadOnlyView, name)
		assert.Contains(t, err.Error(), "activeUsers", name)
		assert.Contains(t, err.Error(), "view of view_users", name)
		assert.True(t, strings.HasPrefix(err.Error(), "odm: "), name)
		assert.Empty(t, rec.Commands(), "%s: no command sent", name)
	}
	rec.Reset()
	_, err := views.Find(ctx, filter)
	require.NoError(t, err)
	_, err = views.FindOne(ctx, filter)
	require.NoError(t, err)
	_, err = views.CountDocuments(ctx, filter)
	require.NoError(t, err)
	cur, err := views.Aggregate(ctx, mongo.Pipeline{{{Key: "$match", Value: filter}}})
	require.NoError(t, err)
	require.NoError(t, cur.Close(ctx))
	for _, c := range rec.Commands() {
		v, _ := c.Body.Index(0).Value().StringValueOK()
		assert.Equal(t, "active_users", v, "%s is sent to the view", c.Name)
	}
	assert.NotEmpty(t, rec.Commands("find"))
	assert.NotEmpty(t, rec.Commands("aggregate"))
}

// lastErr is the error a call returned last, whatever it returned
// before it.
func lastErr(results ...any) error {
	err, _ := results[len(results)-1].(error)
	return err
}

// serverViews measures whether the server keeps views: create with
// viewOn, listCollections listing it as a view, and collMod changing its
// pipeline. "" when it does; else what it lacks.
func serverViews(t *testing.T, ctx context.Context, db *mongo.Database) string {
	t.Helper()
	pipeline := bson.A{bson.D{{Key: "$match", Value: bson.D{{Key: "a", Value: 1}}}}}
	if err := db.RunCommand(ctx, bson.D{{Key: "create", Value: "probe_view"}, {Key: "viewOn", Value: "probe_src"}, {Key: "pipeline", Value: pipeline}}).Err(); err != nil {
		return fmt.Sprintf("views: create with viewOn is refused (%v)", err)
	}
	specs, err := db.ListCollectionSpecifications(ctx, bson.D{{Key: "name", Value: "probe_view"}})
	switch {
	case err != nil:
		return fmt.Sprintf("views: listCollections fails after create with viewOn (%v)", err)
	case len(specs) != 1:
		return fmt.Sprintf("views: create with viewOn is answered ok, and listCollections lists %d collections of its name", len(specs))
	case specs[0].Type != "view":
		return fmt.Sprintf("views: create with viewOn is answered ok, and listCollections lists a %s of type %q", specs[0].Name, specs[0].Type)
	}
	if err := db.RunCommand(ctx, bson.D{{Key: "collMod", Value: "probe_view"}, {Key: "viewOn", Value: "probe_src"}, {Key: "pipeline", Value: bson.A{}}}).Err(); err != nil {
		return fmt.Sprintf("collMod of a view's viewOn and pipeline (%v)", err)
	}
	return ""
}

// TestViewOnServer: on a server that keeps views, Init creates the view,
// reads through the repository see the source's documents as the
// pipeline shapes them, and a second Init sends nothing; on one that
// does not, Init fails with an *UnsupportedError naming the view (the
// commands are checked through TestViewInitCommands).
func TestViewOnServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, client)
	lacks := serverViews(t, ctx, testrig.Database(t, client))
	if lacks != "" {
		_, err := odm.Init(ctx, db, activeUsers{}, viewSource{})
		var ue *outcome.UnsupportedError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, []string{"view"}, ue.Options)
		rep, err := odm.Init(ctx, testrig.Database(t, client), activeUsers{}, viewSource{}, odm.SkipUnsupported())
		require.NoError(t, err)
		cr, _ := rep.Collection("active_users")
		require.Len(t, cr.Options, 1)
		assert.Equal(t, outcome.Skipped, cr.Options[0].Outcome)
		t.Skipf("%s lacks %s", testrig.Server(), lacks)
	}
	_, err := odm.Init(ctx, db, activeUsers{}, viewSource{})
	require.NoError(t, err)
	users := odm.MustCollection[viewSource](db)
	require.NoError(t, lastErr(users.InsertOne(ctx, &viewSource{Name: "on", Active: true})))
	require.NoError(t, lastErr(users.InsertOne(ctx, &viewSource{Name: "off"})))
	got, err := odm.MustCollection[activeUsers](db).Find(ctx, bson.D{})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "on", got[0].Name)
	rec.Reset()
	_, err = odm.Init(ctx, db, activeUsers{}, viewSource{})
	require.NoError(t, err)
	assert.Empty(t, rec.Commands("create", "collMod", "drop"))
}
