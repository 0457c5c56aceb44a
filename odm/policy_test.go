package odm_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
)

// createIndex creates an index the way another tool would, bypassing the
// library.
func createIndex(t *testing.T, db *mongo.Database, coll string, keys bson.D, opts *options.IndexOptionsBuilder) {
	t.Helper()
	_, err := testrig.Client().Database(db.Name()).Collection(coll).Indexes().CreateOne(context.Background(),
		mongo.IndexModel{Keys: keys, Options: opts})
	require.NoError(t, err)
}

func actions(p *outcome.IndexPlan, coll string) map[string]diff.Action {
	out := map[string]diff.Action{}
	for _, c := range p.Collections {
		if c.Collection == coll {
			for _, ch := range c.Changes {
				out[ch.Name] = ch.Action
			}
		}
	}
	return out
}

// TestPlanChangesNothing: a dry run lists and reports, and sends nothing
// that changes the collection.
func TestPlanChangesNothing(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	createIndex(t, db, "orders", bson.D{{Key: "status", Value: 1}}, options.Index().SetUnique(true))
	createIndex(t, db, "orders", bson.D{{Key: "legacy", Value: 1}}, nil)
	before := testrig.ListIndexes(t, db.Name(), "orders")
	rec.Reset()

	plan, err := odm.Plan(context.Background(), db, plainModel{})
	require.NoError(t, err)
	assert.Equal(t, map[string]diff.Action{
		"order_id_1": diff.Create, "idx_customer_placed": diff.Create, "status_1": diff.Conflict,
		"reference_-1": diff.Create, "legacy_1": diff.Drop,
	}, actions(plan, "orders"))
	assert.Equal(t, 4, plan.Pending(), "three creations and a conflict (kept undeclared index is not pending)")
	for _, cmd := range rec.Commands() {
		assert.Contains(t, []string{"listIndexes", "listCollections"}, cmd.Name, "a dry run only reads")
	}
	assert.Equal(t, before, testrig.ListIndexes(t, db.Name(), "orders"))

	table := plan.String()
	assert.Regexp(t, `orders\s+status_1\s+conflict\s+fail\s+unique: declared absent, listed true`, table)
	assert.Regexp(t, `orders\s+legacy_1\s+drop\s+keep\s+not declared`, table)
	assert.Contains(t, table, "1 collections: 0 unchanged, 3 to create, 0 to modify, 1 conflicts, 1 undeclared; 4 pending")

	raw, err := json.Marshal(plan)
	require.NoError(t, err)
	var decoded struct {
		OnConflict  string `json:"onConflict"`
		Pending     int    `json:"pending"`
		Collections []struct {
			Collection string `json:"collection"`
			Changes    []struct {
				Name        string            `json:"name"`
				Action      string            `json:"action"`
				Step        string            `json:"step"`
				Differences []diff.Difference `json:"differences"`
			} `json:"changes"`
		} `json:"collections"`
	}
	require.NoError(t, json.Unmarshal(raw, &decoded))
	assert.Equal(t, "fail", decoded.OnConflict)
	assert.Equal(t, 4, decoded.Pending)
	require.Len(t, decoded.Collections, 1)
	status := decoded.Collections[0].Changes[2]
	assert.Equal(t, "status_1", status.Name)
	assert.Equal(t, "conflict", status.Action)
	assert.Equal(t, "fail", status.Step)
	assert.Equal(t, []diff.Difference{{Field: "unique", Declared: "", Listed: "true"}}, status.Differences)
}

func TestConflictNamesTheDifference(t *testing.T) {
	db := testrig.Database(t, nil)
	createIndex(t, db, "orders", bson.D{{Key: "status", Value: 1}}, options.Index().SetUnique(true))
	_, err := odm.Init(context.Background(), db, plainModel{})
	var ce *outcome.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "index status_1: unique: declared absent, listed true")
	assert.Len(t, testrig.ListIndexes(t, db.Name(), "orders"), 2, "nothing else was created")
}

func TestRebuildPolicyRecreatesTheIndex(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	createIndex(t, db, "orders", bson.D{{Key: "status", Value: 1}}, options.Index().SetUnique(true))
	rec.Reset()

	report, err := odm.Init(context.Background(), db, plainModel{}, odm.OnConflict(outcome.ConflictRebuild))
	require.NoError(t, err)
	cr, _ := report.Collection("orders")
	assert.Equal(t, []string{"status_1"}, cr.Names(outcome.Rebuilt))
	got := testrig.ListIndexes(t, db.Name(), "orders")["status_1"]
	assert.Equal(t, []string{"status:1"}, got.Keys)
	assert.Empty(t, got.Options, "no longer unique")

	var order []string
	for _, cmd := range rec.Commands("createIndexes", "dropIndexes") {
		order = append(order, cmd.Name)
	}
	assert.Equal(t, []string{"createIndexes", "dropIndexes", "createIndexes"}, order,
		"missing indexes first, then the rebuild's drop and its create right after")
}

type codeModel struct {
	Code string `bson:"code" odm:"uniqueIndex:idx_code"`
}

func (codeModel) CollectionName() string { return "codes" }

// TestRebuildOfAUniqueIndexChecksDuplicatesFirst: with duplicate keys in
// the data, the old index stays and the error holds a sample.
func TestRebuildOfAUniqueIndexChecksDuplicatesFirst(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	createIndex(t, db, "codes", bson.D{{Key: "code", Value: -1}}, options.Index().SetName("idx_code"))
	codes := db.Collection("codes")
	_, err := codes.InsertMany(ctx, []any{bson.D{{Key: "code", Value: "x"}}, bson.D{{Key: "code", Value: "x"}}, bson.D{{Key: "code", Value: "y"}}})
	require.NoError(t, err)

	_, err = odm.Init(ctx, db, codeModel{}, odm.OnConflict(outcome.ConflictRebuild))
	var de *outcome.DuplicateDataError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "idx_code", de.Index)
	assert.Equal(t, int64(2), de.Count)
	assert.Equal(t, "x", de.Sample[0].Value.(bson.RawValue).StringValue())
	assert.Contains(t, err.Error(), `2 documents share the keys {"code":"x"}`)
	assert.Equal(t, []string{"code:-1"}, testrig.ListIndexes(t, db.Name(), "codes")["idx_code"].Keys, "the old index was kept")

	_, err = codes.DeleteOne(ctx, bson.D{{Key: "code", Value: "x"}})
	require.NoError(t, err)
	report, err := odm.Init(ctx, db, codeModel{}, odm.OnConflict(outcome.ConflictRebuild))
	require.NoError(t, err)
	assert.Equal(t, 1, report.Count(outcome.Rebuilt))
	got := testrig.ListIndexes(t, db.Name(), "codes")["idx_code"]
	assert.Equal(t, []string{"code:1"}, got.Keys)
	assert.Equal(t, "true", got.Options["unique"])
}

func TestKeepPolicyKeepsTheListedIndex(t *testing.T) {
	db := testrig.Database(t, nil)
	createIndex(t, db, "orders", bson.D{{Key: "status", Value: 1}}, options.Index().SetUnique(true))
	logs := &recordHandler{}
	report, err := odm.Init(context.Background(), db, plainModel{}, odm.OnConflict(outcome.ConflictKeep), odm.Logger(slog.New(logs)))
	require.NoError(t, err)
	cr, _ := report.Collection("orders")
	assert.Equal(t, []string{"status_1"}, cr.Names(outcome.Kept))
	assert.Equal(t, "true", testrig.ListIndexes(t, db.Name(), "orders")["status_1"].Options["unique"])
	assert.Len(t, cr.Names(outcome.Created), 3)
	assert.True(t, logs.has(slog.LevelWarn, "odm: index kept although it differs from its declaration", "status_1"))
}

type otherModel struct {
	X string `bson:"x" odm:"index"`
}

func TestUndeclaredIndexesAreKeptUnlessDropIsAskedFor(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	createIndex(t, db, "orders", bson.D{{Key: "legacy", Value: 1}}, nil)
	createIndex(t, db, "untouched", bson.D{{Key: "legacy", Value: 1}}, nil)

	report, err := odm.Init(ctx, db, plainModel{})
	require.NoError(t, err)
	cr, _ := report.Collection("orders")
	assert.Equal(t, []string{"legacy_1"}, cr.Names(outcome.Kept))
	assert.Contains(t, testrig.ListIndexes(t, db.Name(), "orders"), "legacy_1")
	assert.Zero(t, rec.Count("dropIndexes"))

	report, err = odm.Init(ctx, db, plainModel{}, otherModel{}, odm.DropUndeclared())
	require.NoError(t, err)
	cr, _ = report.Collection("orders")
	assert.Equal(t, []string{"legacy_1"}, cr.Names(outcome.Dropped))
	got := testrig.ListIndexes(t, db.Name(), "orders")
	assert.NotContains(t, got, "legacy_1")
	assert.Contains(t, got, "_id_", "_id_ is never dropped")
	assert.Len(t, got, 5)
	assert.Contains(t, testrig.ListIndexes(t, db.Name(), "untouched"), "legacy_1", "a collection no model declares is left alone")
}

type ttlOnAt struct {
	At time.Time `bson:"at" odm:"index,ttl:1h"`
}

func (ttlOnAt) CollectionName() string { return "expiring" }

type hiddenOnAt struct {
	At time.Time `bson:"at" odm:"index,hidden"`
}

func (hiddenOnAt) CollectionName() string { return "expiring" }

type uniqueOnAt struct {
	At time.Time `bson:"at" odm:"uniqueIndex"`
}

func (uniqueOnAt) CollectionName() string { return "expiring" }

// TestModifyInPlaceCommands: options collMod can change are changed with
// collMod, in the format MongoDB documents, and never by a rebuild.
func TestModifyInPlaceCommands(t *testing.T) {
	tests := []struct {
		name  string
		model any
		want  []string // collMod index documents, in order
		check func(t *testing.T, got testrig.IndexDoc)
	}{
		{"expireAfterSeconds", ttlOnAt{}, []string{`{"name": "at_1", "expireAfterSeconds": 3600}`},
			func(t *testing.T, got testrig.IndexDoc) { assert.Equal(t, "3600", got.Options["expireAfterSeconds"]) }},
		{"hidden", hiddenOnAt{}, []string{`{"name": "at_1", "hidden": true}`},
			func(t *testing.T, got testrig.IndexDoc) { assert.Equal(t, "true", got.Options["hidden"]) }},
		{"unique", uniqueOnAt{}, []string{`{"name": "at_1", "prepareUnique": true}`, `{"name": "at_1", "unique": true}`},
			func(t *testing.T, got testrig.IndexDoc) { assert.Equal(t, "true", got.Options["unique"]) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := testrig.MonitoredClient(t)
			db := testrig.Database(t, c)
			createIndex(t, db, "expiring", bson.D{{Key: "at", Value: 1}}, nil)
			rec.Reset()

			report, err := odm.Init(context.Background(), db, tt.model, odm.SkipUnsupported())
			require.NoError(t, err)
			assert.Zero(t, rec.Count("createIndexes")+rec.Count("dropIndexes"), "no rebuild")
			var sent []string
			for _, cmd := range rec.Commands("collMod") {
				assert.Equal(t, "expiring", cmd.Body.Lookup("collMod").StringValue())
				d, err := testrig.ParseIndexDoc(cmd.Body.Lookup("index").Document())
				require.NoError(t, err)
				sent = append(sent, d.String())
			}
			var want []string
			for _, w := range tt.want {
				var raw bson.Raw
				require.NoError(t, bson.UnmarshalExtJSON([]byte(w), false, &raw))
				d, err := testrig.ParseIndexDoc(raw)
				require.NoError(t, err)
				want = append(want, d.String())
			}
			require.NotEmpty(t, sent)
			assert.Equal(t, want[:min(len(sent), len(want))], sent, "collMod commands, in order")

			cr, _ := report.Collection("expiring")
			if skipped := cr.Names(outcome.Skipped); len(skipped) > 0 {
				require.Equal(t, []string{"at_1"}, skipped)
				require.Len(t, sent, 1, "the first collMod was refused, so no second one")
				t.Skipf("%s refuses collMod (%s); the command was checked instead", testrig.Server(), cr.Indexes[0].Reason)
			}
			require.Len(t, sent, len(tt.want))
			assert.Equal(t, []string{"at_1"}, cr.Names(outcome.Modified))
			tt.check(t, testrig.ListIndexes(t, db.Name(), "expiring")["at_1"])
		})
	}
}

func TestModifyInPlaceFailsWithoutCollModByDefault(t *testing.T) {
	db := testrig.Database(t, nil)
	createIndex(t, db, "expiring", bson.D{{Key: "at", Value: 1}}, nil)
	_, err := odm.Init(context.Background(), db, ttlOnAt{})
	if err == nil {
		t.Skipf("%s supports collMod; the refusal cannot be shown", testrig.Server())
	}
	var ue *outcome.UnsupportedError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "at_1", ue.Index)
	assert.Equal(t, []string{"collMod"}, ue.Options)
}
