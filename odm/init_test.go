package odm_test

import (
	"context"
	"log/slog"
	"slices"
	"sort"
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
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

func TestMain(m *testing.M) { testrig.Main(m) }

// initRecorded runs Init with SkipUnsupported on a fresh database through
// a monitored client, and returns the report, the database and the
// commands sent.
func initRecorded(t *testing.T, models ...any) (*outcome.Report, *mongo.Database, *testrig.Recorder) {
	t.Helper()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	report, err := odm.Init(context.Background(), db, models, odm.SkipUnsupported())
	require.NoError(t, err)
	return report, db, rec
}

type plainModel struct {
	ID        bson.ObjectID `bson:"_id,omitempty"`
	OrderID   string        `bson:"order_id" odm:"uniqueIndex"`
	Customer  string        `bson:"customer" odm:"index:idx_customer_placed,priority:1"`
	PlacedAt  time.Time     `bson:"placed_at" odm:"index:idx_customer_placed,priority:2,sort:desc"`
	Status    string        `bson:"status" odm:"index"`
	Reference string        `bson:"reference" odm:"index,sort:desc"`
}

func (plainModel) CollectionName() string { return "orders" }

func indexStrings(m map[string]testrig.IndexDoc) []string {
	var out []string
	for _, d := range m {
		out = append(out, d.String())
	}
	sort.Strings(out)
	return out
}

func TestInitCreatesDeclaredIndexes(t *testing.T) {
	db := testrig.Database(t, nil)
	report, err := odm.Init(context.Background(), db, plainModel{})
	require.NoError(t, err)

	assert.Equal(t, []string{
		"_id_ {_id:1} ",
		"idx_customer_placed {customer:1, placed_at:-1} ",
		"order_id_1 {order_id:1} unique=true",
		"reference_-1 {reference:-1} ",
		"status_1 {status:1} ",
	}, indexStrings(testrig.ListIndexes(t, db.Name(), "orders")))

	cr, ok := report.Collection("orders")
	require.True(t, ok)
	assert.Equal(t, []string{"order_id_1", "idx_customer_placed", "status_1", "reference_-1"}, cr.Names(outcome.Created))
	assert.Empty(t, cr.Names(outcome.Existed))
	assert.Positive(t, report.Duration)
	assert.Positive(t, cr.Duration)
	assert.Regexp(t, `orders\s+idx_customer_placed\s+create\s+created`, report.String())
}

func TestInitTwiceSendsNoCreate(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	_, err := odm.Init(ctx, db, plainModel{})
	require.NoError(t, err)
	assert.Equal(t, 1, rec.Count("createIndexes"), "all missing indexes of a collection go in one command")

	rec.Reset()
	report, err := odm.Init(ctx, db, plainModel{})
	require.NoError(t, err)
	assert.Zero(t, report.Count(outcome.Created))
	assert.Equal(t, 4, report.Count(outcome.Existed))
	assert.Zero(t, rec.Count("createIndexes"))
	assert.Equal(t, 1, rec.Count("listIndexes"))
}

func TestInitCreatesOnlyWhatIsMissing(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	_, err := db.Collection("orders").Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "status", Value: 1}},
	})
	require.NoError(t, err)
	rec.Reset()

	report, err := odm.Init(ctx, db, plainModel{})
	require.NoError(t, err)
	cr, _ := report.Collection("orders")
	assert.Equal(t, []string{"status_1"}, cr.Names(outcome.Existed))
	assert.Len(t, cr.Names(outcome.Created), 3)
	cmds := rec.Commands("createIndexes")
	require.Len(t, cmds, 1)
	entries, err := cmds[0].Body.Lookup("indexes").Array().Values()
	require.NoError(t, err)
	var sent []string
	for _, e := range entries {
		sent = append(sent, e.Document().Lookup("name").StringValue())
	}
	assert.Equal(t, []string{"order_id_1", "idx_customer_placed", "reference_-1"}, sent)
}

// TestInitConcurrently: eight processes starting at once on an empty
// database all succeed, and exactly the declared indexes exist.
func TestInitConcurrently(t *testing.T) {
	db := testrig.Database(t, nil)
	models := []any{plainModel{}, auditModel{}, sessionModel{}}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	logs := &recordHandler{}
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := mongo.Connect(options.Client().ApplyURI(testrig.URI()))
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Disconnect(context.Background())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, errs[i] = odm.Init(ctx, c.Database(db.Name()), models, odm.Retries(8, 20*time.Millisecond), odm.Logger(slog.New(logs)))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "process %d", i)
	}
	for _, r := range logs.all() {
		if strings.Contains(r, "retrying") {
			t.Log(r)
		}
	}
	declared, err := odm.Declared(models...)
	require.NoError(t, err)
	for coll, specs := range declared {
		want := []string{"_id_"}
		for _, s := range specs {
			want = append(want, s.IndexName())
		}
		var got []string
		for name := range testrig.ListIndexes(t, db.Name(), coll) {
			got = append(got, name)
		}
		assert.ElementsMatch(t, want, got, coll)
	}
}

type auditModel struct {
	Actor string    `bson:"actor" odm:"index:idx_actor_at,priority:1"`
	At    time.Time `bson:"at" odm:"index:idx_actor_at,priority:2;index"`
	Kind  string    `bson:"kind" odm:"index"`
}

type sessionModel struct {
	Token  string `bson:"token" odm:"uniqueIndex"`
	UserID string `bson:"user_id" odm:"index"`
	Device string `bson:"device" odm:"index:idx_user_device,priority:2"`
	User   string `bson:"user" odm:"index:idx_user_device,priority:1"`
}

// TestInitKeepsServerError: the server's refusal comes back naming the
// collection and the index, with the driver's error and code reachable.
func TestInitKeepsServerError(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, err := db.Collection("orders").InsertOne(ctx, bson.D{{Key: "order_id", Value: "o-1"}})
		require.NoError(t, err)
	}

	_, err := odm.Init(ctx, db, plainModel{})
	require.Error(t, err)
	var dk *outcome.DuplicateDataError
	require.ErrorAs(t, err, &dk, "a refusal over duplicated keys is typed")
	assert.Equal(t, "order_id_1", dk.Index)
	var ie *outcome.IndexError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "orders", ie.Collection)
	assert.Equal(t, "createIndexes", ie.Op)
	assert.Contains(t, ie.Indexes, "order_id_1")
	var ce mongo.CommandError
	require.ErrorAs(t, err, &ce, "the server's error stays reachable")
	// MongoDB answers DuplicateKey (11000); other servers their own code
	// and words (FerretDB v1: 1, UNIQUE constraint failed; v2: 1, could
	// not create exclusion constraint), which their profile reads.
	assert.Equal(t, "duplicates", odm.ReplyMeans(ctx, db, ce), "the server's reply (%d %s) means duplicated keys", ce.Code, ce.Message)
	if ce.Code != 11000 {
		assert.Equal(t, "other", odm.ReplyMeans(ctx, db, mongo.CommandError{Code: ce.Code, Message: "some other failure"}),
			"the code alone does not say duplicates where it is not MongoDB's")
		t.Logf("%s answers an index over duplicated keys with code %d: %s", testrig.Server(), ce.Code, ce.Message)
	}
	assert.Contains(t, err.Error(), "collection orders")
	assert.Contains(t, err.Error(), "order_id_1")
}

// TestInitFailsOnConflictByDefault: the declared keys listed under another
// name are a conflict; Init names the difference and changes nothing.
func TestInitFailsOnConflictByDefault(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	_, err := db.Collection("orders").Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "status", Value: 1}}, Options: options.Index().SetName("custom_status"),
	})
	require.NoError(t, err)
	rec.Reset()

	_, err = odm.Init(ctx, db, plainModel{})
	var ce *outcome.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "orders", ce.Collection)
	require.Len(t, ce.Changes, 1)
	assert.Equal(t, "status_1", ce.Changes[0].Name)
	assert.Equal(t, "custom_status", ce.Changes[0].ListedName)
	assert.Contains(t, err.Error(), "name: declared status_1, listed custom_status")
	assert.Zero(t, rec.Count("createIndexes"), "nothing in the collection changes")
	assert.NotContains(t, testrig.ListIndexes(t, db.Name(), "orders"), "order_id_1")
}

type ttlModel struct {
	Name      string    `bson:"name" odm:"index"`
	CreatedAt time.Time `bson:"created_at" odm:"index:idx_created_ttl,ttl:1h"`
}

func (ttlModel) CollectionName() string { return "sessions" }

func TestInitFailsOnUnsupportedByDefault(t *testing.T) {
	db := testrig.Database(t, nil)
	_, err := odm.Init(context.Background(), db, ttlModel{})
	if err == nil {
		got := testrig.ListIndexes(t, db.Name(), "sessions")
		assert.Equal(t, "3600", got["idx_created_ttl"].Options["expireAfterSeconds"])
		t.Skipf("%s supports TTL indexes, so the refusal cannot be shown; the TTL index was created and checked instead", testrig.Server())
	}
	var ue *outcome.UnsupportedError
	require.ErrorAs(t, err, &ue, "%v", err)
	assert.Equal(t, "sessions", ue.Collection)
	assert.Equal(t, "idx_created_ttl", ue.Index)
	assert.Equal(t, "expireAfterSeconds", ue.Options[0])
	assert.Contains(t, err.Error(), "collection sessions, index idx_created_ttl")
	assert.Contains(t, err.Error(), "expireAfterSeconds")
	var ce mongo.CommandError
	assert.ErrorAs(t, err, &ce, "the server's error stays reachable")
}

func TestInitSkipUnsupported(t *testing.T) {
	db := testrig.Database(t, nil)
	logs := &recordHandler{}
	report, err := odm.Init(context.Background(), db, ttlModel{}, odm.SkipUnsupported(), odm.Logger(slog.New(logs)))
	require.NoError(t, err)
	cr, _ := report.Collection("sessions")
	assert.Equal(t, []string{"name_1"}, cr.Names(outcome.Created)[:1])
	if len(cr.Names(outcome.Skipped)) == 0 {
		t.Skipf("%s supports TTL indexes, so nothing is skipped", testrig.Server())
	}
	require.Equal(t, []string{"idx_created_ttl"}, cr.Names(outcome.Skipped))
	skipped := cr.Indexes[slices.IndexFunc(cr.Indexes, func(r outcome.IndexResult) bool { return r.Outcome == outcome.Skipped })]
	assert.Equal(t, []string{"expireAfterSeconds"}, skipped.Options)
	assert.NotEmpty(t, skipped.Reason)
	assert.Regexp(t, `idx_created_ttl\s+create\s+skipped\s+server lacks expireAfterSeconds`, report.String())
	assert.True(t, logs.has(slog.LevelWarn, "odm: index skipped: the server does not support it", "idx_created_ttl"))
	assert.NotContains(t, testrig.ListIndexes(t, db.Name(), "sessions"), "idx_created_ttl")
}

func TestInitHonoursContext(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := odm.Init(ctx, db, plainModel{})
	assert.ErrorIs(t, err, context.Canceled)

	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	_, err = odm.Init(ctx, db, plainModel{})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, testrig.ListIndexes(t, db.Name(), "orders"), "nothing was created")
}

func TestInitLogsOnlyWhenGivenALogger(t *testing.T) {
	db := testrig.Database(t, nil)
	global := &recordHandler{}
	prev := slog.Default()
	slog.SetDefault(slog.New(global))
	defer slog.SetDefault(prev)

	_, err := odm.Init(context.Background(), db, plainModel{})
	require.NoError(t, err)
	assert.Empty(t, global.all(), "silent by default")

	db = testrig.Database(t, nil)
	logs := &recordHandler{}
	_, err = odm.Init(context.Background(), db, plainModel{}, odm.Logger(slog.New(logs)))
	require.NoError(t, err)
	assert.True(t, logs.has(slog.LevelInfo, "odm: index created", "idx_customer_placed"))
	assert.True(t, logs.has(slog.LevelInfo, "odm: init done", ""))
}

func TestInitNeedsADatabase(t *testing.T) {
	_, err := odm.Init(context.Background(), nil, plainModel{})
	assert.ErrorContains(t, err, "a database is needed")
}

// recordHandler keeps log records.
type recordHandler struct {
	mu      sync.Mutex
	records []string
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.mu.Lock()
	h.records = append(h.records, b.String())
	h.mu.Unlock()
	return nil
}

func (h *recordHandler) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.records...)
}

func (h *recordHandler) has(level slog.Level, msg, attr string) bool {
	for _, r := range h.all() {
		if strings.HasPrefix(r, level.String()+" "+msg) && strings.Contains(r, attr) {
			return true
		}
	}
	return false
}

// TestInitTakesModelsInEveryForm: values, pointers, nil pointers and
// []any lists; the same model given several times counts once.
func TestInitTakesModelsInEveryForm(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	report, err := odm.Init(context.Background(), db,
		plainModel{}, &plainModel{}, []any{(*plainModel)(nil), auditModel{}}, odm.Option(nil))
	require.NoError(t, err)
	assert.Len(t, report.Collections, 2)
	assert.Equal(t, 7, report.Count(outcome.Created))
	assert.Equal(t, 2, rec.Count("createIndexes"))
}

// TestInBindsAModelToAnotherCollection: one struct, several collections.
func TestInBindsAModelToAnotherCollection(t *testing.T) {
	db := testrig.Database(t, nil)
	report, err := odm.Init(context.Background(), db, schema.In("orders_2026_01", plainModel{}), schema.In("orders_2026_02", plainModel{}), plainModel{})
	require.NoError(t, err)
	assert.Len(t, report.Collections, 3)
	for _, coll := range []string{"orders", "orders_2026_01", "orders_2026_02"} {
		assert.Contains(t, testrig.ListIndexes(t, db.Name(), coll), "idx_customer_placed", coll)
	}
	m, err := schema.Describe(schema.In("orders_x", &plainModel{}))
	require.NoError(t, err)
	assert.Equal(t, "orders_x", m.Collection)
	_, err = schema.Describe(schema.In("$bad", plainModel{}))
	assert.ErrorContains(t, err, "contains '$'")
}

// TestCommitQuorumIsSentOnEveryCreate checks the command; only a replica
// set can show the quorum at work.
func TestCommitQuorumIsSentOnEveryCreate(t *testing.T) {
	for _, tt := range []struct {
		opt  odm.Option
		want string
	}{
		{odm.CommitQuorum("majority"), `"majority"`},
		{odm.CommitQuorum(1), `{"$numberInt":"1"}`},
	} {
		c, rec := testrig.MonitoredClient(t)
		db := testrig.Database(t, c)
		_, err := odm.Init(context.Background(), db, plainModel{}, auditModel{}, tt.opt)
		cmds := rec.Commands("createIndexes")
		require.NotEmpty(t, cmds)
		for _, cmd := range cmds {
			assert.Equal(t, tt.want, cmd.Body.Lookup("commitQuorum").String())
		}
		if err != nil {
			var ce mongo.CommandError
			require.ErrorAs(t, err, &ce, "%v", err)
			t.Skipf("%s refuses commitQuorum outside a replica set (%v); the createIndexes commands were checked instead", testrig.Server(), ce)
		}
	}
	var hello bson.M
	require.NoError(t, testrig.Client().Database("admin").RunCommand(context.Background(), bson.D{{Key: "hello", Value: 1}}).Decode(&hello))
	if _, replicaSet := hello["setName"]; !replicaSet {
		t.Skipf("%s is not a replica set, so the quorum itself cannot be shown; the createIndexes commands were checked", testrig.Server())
	}
}
