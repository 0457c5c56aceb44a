package models_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	_ "github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/registry"
)

func TestMain(m *testing.M) { testrig.Main(m) }

// reference is the index set of reference-collections.md, written out by
// hand: "name | keys in order | options".
var reference = map[string][]string{
	"events": {
		"event_id_1 | event_id:1 | unique=true",
		"timestamp_1 | timestamp:1 |",
		"aggregate_id_1 | aggregate_id:1 |",
		"idx_event_type_ts | event_type:1, timestamp:-1 |",
		"idx_aggregate_ts | aggregate_id:1, timestamp:-1 |",
		"idx_meta_user_ts | metadata.user_id:1, timestamp:-1 |",
		"idx_meta_service_ts | metadata.service_name:1, timestamp:-1 |",
		"idx_execution_id | execution_id:1 | sparse=true",
		"idx_pod_name | pod_name:1 | sparse=true",
		"idx_ttl | ttl_expires_at:1 | expireAfterSeconds=0",
		"idx_events_type_agg | event_type:1, aggregate_id:1 |",
		"idx_events_agg_ts | aggregate_id:1, timestamp:1 |",
		"idx_events_type_ts_asc | event_type:1, timestamp:1 |",
		"idx_events_user_ts | metadata.user_id:1, timestamp:1 |",
		"idx_events_user_type | metadata.user_id:1, event_type:1 |",
		"idx_events_type_user_ts | event_type:1, metadata.user_id:1, timestamp:-1 |",
		"idx_text_search | event_type:text, metadata.service_name:text, metadata.user_id:text, execution_id:text | default_language=english language_override=none",
	},
	"events_archive": {
		"event_id_1 | event_id:1 | unique=true",
		"timestamp_1 | timestamp:1 |",
		"deleted_at_1 | deleted_at:1 |",
		"event_type_1 | event_type:1 |",
	},
	"dlq_messages": {
		"original_topic_1 | original_topic:1 |",
		"retry_count_1 | retry_count:1 |",
		"failed_at_1 | failed_at:1 |",
		"next_retry_at_1 | next_retry_at:1 |",
		"idx_dlq_event_id | event.event_id:1 | unique=true",
		"idx_dlq_event_type | event.event_type:1 |",
		"idx_dlq_status | status:1 |",
		"idx_dlq_failed_desc | failed_at:-1 |",
		"idx_dlq_created_ttl | created_at:1 | expireAfterSeconds=604800",
	},
	"notifications": {
		"notification_id_1 | notification_id:1 | unique=true",
		"user_id_1 | user_id:1 |",
		"idx_notif_user_created_desc | user_id:1, created_at:-1 |",
		"idx_notif_status_sched | status:1, scheduled_for:1 |",
		"idx_notif_ttl | created_at:1 | expireAfterSeconds=2592000",
	},
	"notification_subscriptions": {
		"user_id_1 | user_id:1 |",
		"idx_sub_user_channel_unique | user_id:1, channel:1 | unique=true",
		"idx_sub_enabled | enabled:1 |",
	},
	"sagas": {
		"saga_id_1 | saga_id:1 | unique=true",
		"saga_name_1 | saga_name:1 |",
		"execution_id_1 | execution_id:1 |",
		"created_at_1 | created_at:1 |",
		"idx_saga_state | state:1 |",
		"idx_saga_state_created | state:1, created_at:1 |",
		"idx_saga_execution_name_unique | execution_id:1, saga_name:1 | unique=true",
	},
	"executions": {
		"execution_id_1 | execution_id:1 | unique=true",
		"created_at_1 | created_at:1 |",
		"user_id_1 | user_id:1 |",
		"status_1 | status:1 |",
		"priority_1 | priority:1 |",
	},
	"user_settings": {
		"user_id_1 | user_id:1 | unique=true",
	},
	"user_settings_snapshots": {
		"user_id_1 | user_id:1 |",
		"snapshot_at_1 | snapshot_at:1 |",
	},
	"replay_sessions": {
		"session_id_1 | session_id:1 | unique=true",
		"created_at_1 | created_at:1 |",
		"status_1 | status:1 |",
		"replay_id_1 | replay_id:1 |",
	},
	"users": {
		"username_1 | username:1 | unique=true",
		"email_1 | email:1 | unique=true",
		"user_id_1 | user_id:1 | unique=true",
	},
	"system_settings": {},
	"audit_log": {
		"audit_id_1 | audit_id:1 | unique=true",
		"user_id_1 | user_id:1 |",
		"timestamp_1 | timestamp:1 |",
	},
	"resource_allocations": {
		"allocation_id_1 | allocation_id:1 | unique=true",
		"execution_id_1 | execution_id:1 |",
		"language_1 | language:1 |",
		"status_1 | status:1 |",
	},
	"saved_scripts": {
		"script_id_1 | script_id:1 | unique=true",
		"user_id_1 | user_id:1 |",
	},
	"idempotency_keys": {
		"idx_idem_key_unique | key:1 | unique=true",
		"idx_idem_created_ttl | created_at:1 | expireAfterSeconds=3600",
		"idx_idem_status | status:1 |",
		"idx_idem_event_type | event_type:1 |",
	},
}

func parseRef(t *testing.T, line string) testrig.IndexDoc {
	parts := strings.Split(line, "|")
	require.Len(t, parts, 3, line)
	d := testrig.IndexDoc{Name: strings.TrimSpace(parts[0]), Options: map[string]string{}}
	for _, k := range strings.Split(parts[1], ",") {
		d.Keys = append(d.Keys, strings.TrimSpace(k))
	}
	for _, o := range strings.Fields(parts[2]) {
		k, v, _ := strings.Cut(o, "=")
		d.Options[k] = v
	}
	return d
}

func byName(t *testing.T, docs []testrig.IndexDoc) map[string]testrig.IndexDoc {
	out := map[string]testrig.IndexDoc{}
	for _, d := range docs {
		_, dup := out[d.Name]
		require.False(t, dup, "index %s appears twice", d.Name)
		out[d.Name] = d
	}
	return out
}

func TestReferenceTotals(t *testing.T) {
	n := 0
	for _, idx := range reference {
		n += len(idx)
	}
	assert.Len(t, reference, 16)
	assert.Equal(t, 73, n, "reference-collections.md totals 73 declared indexes")
}

// TestDeclaredMatchesReference checks, without a server, that the models
// declare exactly the reference index set: the createIndexes entries Init
// would send, compared field by field.
func TestDeclaredMatchesReference(t *testing.T) {
	declared, err := odm.Declared(registry.All()...)
	require.NoError(t, err)
	require.Len(t, declared, len(reference))
	for coll, lines := range reference {
		t.Run(coll, func(t *testing.T) {
			specs, ok := declared[coll]
			require.True(t, ok, "no model declares collection %s", coll)
			var got []testrig.IndexDoc
			for _, s := range specs {
				raw, err := bson.Marshal(s.Document())
				require.NoError(t, err)
				d, err := testrig.ParseIndexDoc(raw)
				require.NoError(t, err)
				got = append(got, d)
			}
			gotByName := byName(t, got)
			require.Len(t, gotByName, len(lines))
			for _, line := range lines {
				want := parseRef(t, line)
				assert.Equal(t, want.String(), gotByName[want.Name].String())
			}
		})
	}
}

// TestInitCreatesReferenceIndexes runs Init on an empty database and
// checks, index by index, the createIndexes command sent and what the
// server lists afterwards.
func TestInitCreatesReferenceIndexes(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	report, err := odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	require.Len(t, report.Collections, 16)

	sent := rec.SentIndexes(t)

	for coll, lines := range reference {
		listed := testrig.ListIndexes(t, db.Name(), coll)
		cr, ok := report.Collection(coll)
		require.True(t, ok)
		for _, line := range lines {
			want := parseRef(t, line)
			t.Run(coll+"/"+want.Name, func(t *testing.T) {
				cmd, ok := sent[coll][want.Name]
				require.True(t, ok, "no createIndexes carried %s", want.Name)
				assert.Equal(t, want.String(), cmd.String(), "createIndexes entry")

				got, ok := listed[want.Name]
				if !ok {
					require.Contains(t, cr.Names(outcome.Skipped), want.Name, "neither created nor reported skipped")
					t.Skipf("%s refuses this index (%s); the createIndexes entry was checked instead",
						testrig.Server(), reason(cr, want.Name))
				}
				assert.Contains(t, cr.Names(outcome.Created), want.Name)
				if textListing(&want, &got) {
					assert.Equal(t, want.Options, got.Options)
					return
				}
				assert.Equal(t, want.Keys, got.Keys, "keys in order")
				if testrig.IsFerretDB() && want.Options["sparse"] == "true" && got.Options["sparse"] == "" {
					delete(want.Options, "sparse")
					assert.Equal(t, want.Options, got.Options)
					t.Skipf("%s ignores sparse: the index exists with its keys, and the command carried sparse: true", testrig.Server())
				}
				assert.Equal(t, want.Options, got.Options)
			})
		}
		if len(lines) > 0 { // Init creates no collection for a model without indexes
			assert.Len(t, listed, len(lines)+1-len(cr.Names(outcome.Skipped)), "%s: declared indexes plus _id_", coll)
		}
	}
}

// textListing handles the form MongoDB lists a text index in: keys
// {_fts: "text", _ftsx: 1} and a weights document (1 for each text field
// declared without a weight), plus textIndexVersion. It checks the weights
// against the declared text keys and leaves the rest of the options to
// compare.
func textListing(want, got *testrig.IndexDoc) bool {
	if len(got.Keys) != 2 || got.Keys[0] != "_fts:text" || got.Keys[1] != "_ftsx:1" {
		return false
	}
	var weights []string
	for _, k := range want.Keys {
		if f, ok := strings.CutSuffix(k, ":text"); ok {
			weights = append(weights, f+":1")
		}
	}
	sort.Strings(weights)
	want.Options["weights"] = "{" + strings.Join(weights, ",") + "}"
	delete(got.Options, "textIndexVersion")
	return true
}

func reason(cr outcome.CollectionReport, name string) string {
	for _, x := range cr.Indexes {
		if x.Name == name {
			return strings.Join(x.Options, ", ") + ": " + x.Reason
		}
	}
	return ""
}

// TestInitTwiceCreatesNothing: a second Init finds everything and sends no
// createIndexes at all.
func TestInitTwiceCreatesNothing(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	first, err := odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	require.Positive(t, first.Count(outcome.Created))

	rec.Reset()
	second, err := odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	assert.Zero(t, second.Count(outcome.Created))
	assert.Equal(t, first.Count(outcome.Created), second.Count(outcome.Existed))
	assert.Equal(t, 16, rec.Count("listIndexes"), "one listIndexes per collection")
	// Indexes the server refuses are tried again on every run; nothing else
	// is sent.
	for _, cmd := range rec.Commands("createIndexes") {
		coll := cmd.Body.Lookup("createIndexes").StringValue()
		cr, _ := second.Collection(coll)
		entries, _ := cmd.Body.Lookup("indexes").Array().Values()
		for _, e := range entries {
			assert.Contains(t, cr.Names(outcome.Skipped), e.Document().Lookup("name").StringValue())
		}
	}
	if second.Count(outcome.Skipped) == 0 {
		assert.Zero(t, rec.Count("createIndexes"))
	}
}

// TestInitConcurrently: eight processes start at once on an empty
// database; all succeed and exactly the declared indexes exist (less those
// the server refuses, which every process reports skipped).
func TestInitConcurrently(t *testing.T) {
	db := testrig.Database(t, nil)
	reports := make([]*outcome.Report, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := mongo.Connect(options.Client().ApplyURI(testrig.URI()))
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Disconnect(context.Background())
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			reports[i], errs[i] = odm.Init(ctx, c.Database(db.Name()), registry.All(), odm.SkipUnsupported(),
				odm.Retries(8, 20*time.Millisecond))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "process %d", i)
	}
	for coll, lines := range reference {
		if len(lines) == 0 {
			continue
		}
		want := []string{"_id_"}
		for _, line := range lines {
			name := parseRef(t, line).Name
			cr, _ := reports[0].Collection(coll)
			if slices.Contains(cr.Names(outcome.Skipped), name) {
				for _, r := range reports[1:] {
					other, _ := r.Collection(coll)
					assert.Contains(t, other.Names(outcome.Skipped), name, "every process skips the same")
				}
				continue
			}
			want = append(want, name)
		}
		got := testrig.ListIndexes(t, db.Name(), coll)
		var names []string
		for n := range got {
			names = append(names, n)
		}
		assert.ElementsMatch(t, want, names, coll)
	}
}

// TestTakeoverPlansUnchanged: a database whose indexes another tool made
// (here as mongosh would: every number a double, one command per index),
// with the reference names and options, plans as all unchanged.
func TestTakeoverPlansUnchanged(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	refused := map[string]string{} // collection/index -> the server's answer
	// The older version of the service kept this validator on events.
	var validator bson.D
	require.NoError(t, bson.UnmarshalExtJSON([]byte(eventsValidator), false, &validator))
	err := db.RunCommand(ctx, append(bson.D{{Key: "create", Value: "events"}}, validator...)).Err()
	if err != nil {
		refused["events/validator"] = err.Error()
	} else if !listsValidator(t, db, "events") {
		// The server answered ok and kept no validator (FerretDB v2): the
		// other tool sets it with collMod, as Init does on such a server.
		err := db.RunCommand(ctx, append(bson.D{{Key: "collMod", Value: "events"}}, validator...)).Err()
		switch {
		case err != nil:
			refused["events/validator"] = "create kept no validator; collMod: " + err.Error()
		case !listsValidator(t, db, "events"):
			refused["events/validator"] = "neither create nor collMod kept the validator"
		default:
			t.Logf("%s kept no validator given to create; it keeps the one collMod gave", testrig.Server())
		}
	}
	for coll, lines := range reference {
		for _, line := range lines {
			ref := parseRef(t, line)
			keys := bson.D{}
			for _, k := range ref.Keys {
				field, value, _ := strings.Cut(k, ":")
				var v any = value
				if value == "1" || value == "-1" {
					v, _ = strconv.ParseFloat(value, 64)
				}
				keys = append(keys, bson.E{Key: field, Value: v})
			}
			index := bson.D{{Key: "key", Value: keys}, {Key: "name", Value: ref.Name}}
			for opt, value := range ref.Options {
				var v any = value
				switch {
				case value == "true":
					v = true
				case opt == "expireAfterSeconds":
					v, _ = strconv.ParseFloat(value, 64)
				}
				index = append(index, bson.E{Key: opt, Value: v})
			}
			err := db.RunCommand(ctx, bson.D{{Key: "createIndexes", Value: coll}, {Key: "indexes", Value: bson.A{index}}}).Err()
			if err != nil {
				refused[coll+"/"+ref.Name] = err.Error()
			}
		}
		if len(lines) == 0 {
			require.NoError(t, db.CreateCollection(ctx, coll))
		}
	}

	plan, err := odm.Plan(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	require.Len(t, plan.Collections, 16)
	for _, cp := range plan.Collections {
		for _, ch := range cp.Changes {
			t.Run(cp.Collection+"/"+ch.Name, func(t *testing.T) {
				if reason, ok := refused[cp.Collection+"/"+ch.Name]; ok {
					assert.Equal(t, diff.Create, ch.Action)
					t.Skipf("%s could not hold the index the other tool made (%s); it plans as Create", testrig.Server(), reason)
				}
				assert.Equal(t, diff.Unchanged, ch.Action, "%s", ch.Differences)
				if testrig.IsFerretDB() && strings.Contains(ch.Declared, "sparse") {
					t.Skipf("%s does not keep sparse, so the plan leaves it out of the comparison; sparse itself is not proven here", testrig.Server())
				}
			})
		}
	}
	t.Run("events/validator", func(t *testing.T) {
		options := plan.Collections[slices.IndexFunc(plan.Collections, func(c outcome.CollectionPlan) bool { return c.Collection == "events" })].Options
		if reason, ok := refused["events/validator"]; ok {
			require.NotEmpty(t, options)
			t.Skipf("%s could not hold the validator the other tool set (%s); it plans as %s", testrig.Server(), reason, options[0].Action)
		}
		assert.Empty(t, options, "the validator matches")
	})
	if len(refused) == 0 {
		assert.Zero(t, plan.Pending())
	}
}

// listsValidator reports whether listCollections shows a validator on
// the collection.
func listsValidator(t *testing.T, db *mongo.Database, coll string) bool {
	t.Helper()
	specs, err := db.ListCollectionSpecifications(context.Background(), bson.D{{Key: "name", Value: coll}})
	require.NoError(t, err)
	require.Len(t, specs, 1)
	v, ok := specs[0].Options.Lookup("validator").DocumentOK()
	return ok && len(v) > 5
}

// eventsValidator is the validator reference-collections.md describes for
// events, as a create command's options.
const eventsValidator = `{
	"validator": {"$jsonSchema": {
		"bsonType": "object",
		"required": ["event_id", "event_type", "timestamp", "event_version"],
		"properties": {
			"event_id": {"bsonType": "string"},
			"event_type": {"bsonType": "string"},
			"timestamp": {"bsonType": "date"},
			"event_version": {"bsonType": "string", "pattern": "^\\d+\\.\\d+$"},
			"aggregate_id": {"bsonType": ["string", "null"]},
			"metadata": {"bsonType": "object"},
			"stored_at": {"bsonType": ["date", "null"]},
			"ttl_expires_at": {"bsonType": ["date", "null"]}
		}
	}},
	"validationLevel": "moderate",
	"validationAction": "warn"
}`

// TestEventsValidator: Init creates events with the reference validator.
func TestEventsValidator(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	report, err := odm.Init(context.Background(), db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	var create bson.Raw
	for _, cmd := range rec.Commands("create") {
		if cmd.Body.Lookup("create").StringValue() == "events" {
			create = cmd.Body
			break
		}
	}
	require.NotNil(t, create, "events is created explicitly, with its validator")
	var want bson.Raw
	require.NoError(t, bson.UnmarshalExtJSON([]byte(eventsValidator), false, &want))
	for _, field := range []string{"validator", "validationLevel", "validationAction"} {
		assert.Equal(t, want.Lookup(field).String(), create.Lookup(field).String(), field)
	}
	cr, _ := report.Collection("events")
	require.NotEmpty(t, cr.Options)
	if len(cr.Options[0].Options) > 0 {
		t.Skipf("%s holds no events validator (%s); the create command was checked instead", testrig.Server(), cr.Options[0].Reason)
	}
	plan, err := odm.Plan(context.Background(), db, registry.All())
	require.NoError(t, err)
	assert.Zero(t, plan.Pending())
}
