package odmtest_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odmtest"
)

func TestMain(m *testing.M) { odmtest.Main(m) }

// recordingT is a test's T whose messages are kept instead of reported,
// so that a test can check what odmtest says and that it fails. Cleanup,
// Name and the rest go to the real test.
type recordingT struct {
	testing.TB
	mu     sync.Mutex
	logs   []string
	errors []string
	fatal  []string
}

func (r *recordingT) Helper() {}

func (r *recordingT) Logf(format string, args ...any) { r.add(&r.logs, fmt.Sprintf(format, args...)) }

func (r *recordingT) Errorf(format string, args ...any) {
	r.add(&r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingT) Fatalf(format string, args ...any) {
	r.add(&r.fatal, fmt.Sprintf(format, args...))
}

func (r *recordingT) Fatal(args ...any) { r.add(&r.fatal, fmt.Sprint(args...)) }

func (r *recordingT) add(to *[]string, s string) {
	r.mu.Lock()
	*to = append(*to, s)
	r.mu.Unlock()
}

// messages returns a copy of one list.
func (r *recordingT) messages(list *[]string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(*list)
}

// account declares a unique index and a compound one.
type account struct {
	ID        bson.ObjectID `bson:"_id,omitempty"`
	Email     string        `bson:"email" odm:"uniqueIndex"`
	Team      string        `bson:"team" odm:"index:idx_team_created,priority:1"`
	Plan      string        `bson:"plan"`
	CreatedAt time.Time     `bson:"created_at" odm:"index:idx_team_created,priority:2,sort:desc"`
}

func (account) CollectionName() string { return "accounts" }

// session declares a TTL index, which the embedded server lacks, beside a
// plain one.
type session struct {
	ID        bson.ObjectID `bson:"_id,omitempty"`
	UserID    string        `bson:"user_id" odm:"index"`
	ExpiresAt time.Time     `bson:"expires_at" odm:"index:idx_session_ttl,ttl:1h"`
}

func (session) CollectionName() string { return "sessions" }

// badSort declares a sort direction that does not exist.
type badSort struct {
	Name string `bson:"name" odm:"index,sort:sideways"`
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// indexNames lists a collection's index names.
func indexNames(t *testing.T, c *mongo.Collection) []string {
	t.Helper()
	specs, err := c.Indexes().ListSpecifications(ctx(t))
	if err != nil {
		t.Fatalf("listing the indexes of %s: %v", c.Name(), err)
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

func databaseNames(t *testing.T) []string {
	t.Helper()
	names, err := odmtest.Connect(t).Client.ListDatabaseNames(ctx(t), bson.D{})
	if err != nil {
		t.Fatalf("listing databases: %v", err)
	}
	return names
}

func TestConnectIsSharedAndAnswers(t *testing.T) {
	s := odmtest.Connect(t)
	if again := odmtest.Connect(t); again != s {
		t.Fatalf("Connect gave two servers: %p and %p", s, again)
	}
	if want := os.Getenv("MONGODB_URI") == ""; s.Embedded != want {
		t.Errorf("Embedded = %v with MONGODB_URI=%q", s.Embedded, os.Getenv("MONGODB_URI"))
	}
	if s.Embedded && s.FerretDB != 1 {
		t.Errorf("the embedded server is FerretDB v1, got FerretDB = %d (%s)", s.FerretDB, s.Name)
	}
	if !strings.HasPrefix(s.URI, "mongodb://") || s.Name == "" {
		t.Errorf("URI %q, Name %q", s.URI, s.Name)
	}
	if err := s.Client.Ping(ctx(t), nil); err != nil {
		t.Fatalf("the shared client does not reach the server: %v", err)
	}
	t.Logf("server: %s", s.Name)
}

func TestDatabaseIsFreshAndDroppedAtCleanup(t *testing.T) {
	var names []string
	t.Run("use", func(t *testing.T) {
		a, b := odmtest.Database(t), odmtest.Database(t)
		names = []string{a.Name(), b.Name()}
		if a.Name() == b.Name() {
			t.Fatalf("two calls gave the same database %s", a.Name())
		}
		for _, db := range []*mongo.Database{a, b} {
			cols, err := db.ListCollectionNames(ctx(t), bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cols) != 0 {
				t.Fatalf("database %s is not empty: %v", db.Name(), cols)
			}
			if _, err := db.Collection("things").InsertOne(ctx(t), bson.D{{Key: "x", Value: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		if listed := databaseNames(t); !slices.Contains(listed, a.Name()) || !slices.Contains(listed, b.Name()) {
			t.Fatalf("databases %v not listed while in use: %v", names, listed)
		}
	})
	listed := databaseNames(t)
	for _, n := range names {
		if !strings.HasPrefix(n, "t_testdatabaseisfreshanddroppedatcleanup_use_") || len(n) > 63 {
			t.Errorf("database name %q does not name the test within 63 bytes", n)
		}
		if slices.Contains(listed, n) {
			t.Errorf("database %s was not dropped when its test ended", n)
		}
	}
}

func TestDatabaseCreatesDeclaredIndexes(t *testing.T) {
	db := odmtest.Database(t, account{})
	got := indexNames(t, db.Collection("accounts"))
	want := []string{"_id_", "email_1", "idx_team_created"}
	if !slices.Equal(got, want) {
		t.Fatalf("indexes of accounts: %v, want %v", got, want)
	}
	accounts := odm.MustCollection[account](db)
	if _, err := accounts.InsertOne(ctx(t), &account{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, err := accounts.InsertOne(ctx(t), &account{Email: "a@example.com"})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("a second account with the same email: got %v, want a duplicate key error", err)
	}
}

func TestDatabaseSkipsAndLogsWhatTheServerLacks(t *testing.T) {
	rt := &recordingT{TB: t}
	db := odmtest.Database(rt, session{})
	if f := rt.messages(&rt.fatal); len(f) > 0 {
		t.Fatalf("Database failed: %v", f)
	}
	got := indexNames(t, db.Collection("sessions"))
	if !slices.Contains(got, "user_id_1") {
		t.Fatalf("the plain index is missing: %v", got)
	}
	var skipLogs []string
	for _, l := range rt.messages(&rt.logs) {
		if strings.Contains(l, "idx_session_ttl") {
			skipLogs = append(skipLogs, l)
		}
	}
	created := slices.Contains(got, "idx_session_ttl")
	server := odmtest.Connect(t)
	switch {
	case server.FerretDB == 1 && created:
		t.Fatalf("%s created a TTL index, which FerretDB v1 lacks", server.Name)
	case created && len(skipLogs) > 0:
		t.Fatalf("the TTL index exists, yet was logged as skipped: %v", skipLogs)
	case !created && len(skipLogs) != 1:
		t.Fatalf("the TTL index is missing; want one log line saying it was skipped, got %v (all logs: %v)", skipLogs, rt.messages(&rt.logs))
	case !created:
		l := skipLogs[0]
		if !strings.HasPrefix(l, "odmtest: sessions: index idx_session_ttl skipped: "+server.Name+" lacks ") || !strings.Contains(l, "expireAfterSeconds") {
			t.Errorf("skip log %q does not name the collection, the index, the server and the option", l)
		}
		t.Logf("%s lacks TTL indexes; logged: %s", server.Name, l)
	default:
		t.Logf("%s holds TTL indexes; nothing skipped", server.Name)
	}
}

func TestDatabaseFailsOnABadDeclaration(t *testing.T) {
	rt := &recordingT{TB: t}
	db := odmtest.Database(rt, badSort{})
	fatal := rt.messages(&rt.fatal)
	if len(fatal) != 1 {
		t.Fatalf("want one fatal message, got %v", fatal)
	}
	want := odm.Validate(badSort{}).Error()
	if fatal[0] != "odmtest: "+want {
		t.Errorf("message %q, want odmtest: and odm.Validate's %q", fatal[0], want)
	}
	for _, part := range []string{"odmtest_test.badSort", "Name", "sort:sideways"} {
		if !strings.Contains(fatal[0], part) {
			t.Errorf("message %q does not name %s", fatal[0], part)
		}
	}
	if strings.Count(fatal[0], "odm: ") != 1 {
		t.Errorf("message %q should carry one odm: prefix", fatal[0])
	}
	cols, err := db.ListCollectionNames(ctx(t), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 0 {
		t.Errorf("a refused declaration created collections: %v", cols)
	}
}

func TestValidate(t *testing.T) {
	rt := &recordingT{TB: t}
	odmtest.Validate(rt, account{}, session{})
	if f := rt.messages(&rt.fatal); len(f) > 0 {
		t.Fatalf("valid models failed: %v", f)
	}
	odmtest.Validate(rt, account{}, badSort{})
	fatal := rt.messages(&rt.fatal)
	want := odm.Validate(account{}, badSort{})
	if want == nil {
		t.Fatal("odm.Validate accepts badSort")
	}
	if len(fatal) != 1 || fatal[0] != want.Error() {
		t.Fatalf("fatal messages %q, want exactly odm.Validate's %q", fatal, want)
	}
	odmtest.Validate(rt)
	if n := len(rt.messages(&rt.fatal)); n != 2 {
		t.Fatalf("no model at all: want a failure as odm.Validate gives, got %d messages", n)
	}
}

// runRecorded runs queries in a subtest whose messages rt keeps, with a
// recorder in the given mode, and returns rt once the subtest and its
// cleanup have ended.
func runRecorded(t *testing.T, mode odmtest.Unserved, queries func(t *testing.T, accounts *odm.Collection[account])) *recordingT {
	var rt *recordingT
	t.Run("queries", func(t *testing.T) {
		rt = &recordingT{TB: t}
		db := odmtest.Database(t, account{})
		odmtest.RecordQueries(rt, mode)
		queries(t, odm.MustCollection[account](db))
	})
	return rt
}

func TestRecordQueriesFailsOnUnservedQueries(t *testing.T) {
	rt := runRecorded(t, odmtest.FailUnserved, func(t *testing.T, accounts *odm.Collection[account]) {
		c := ctx(t)
		if _, err := accounts.Find(c, bson.D{{Key: "email", Value: "a@example.com"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.Query(bson.D{{Key: "team", Value: "core"}}).Sort(bson.D{{Key: "created_at", Value: -1}}).All(c); err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.CountDocuments(c, bson.D{{Key: "plan", Value: "pro"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.CountDocuments(c, bson.D{{Key: "plan", Value: "free"}}); err != nil {
			t.Fatal(err)
		}
	})
	errs := rt.messages(&rt.errors)
	if len(errs) != 1 {
		t.Fatalf("want one error, for the count by plan (one shape), got %q", errs)
	}
	if !strings.HasPrefix(errs[0], "odm: query not served by an index: accounts count {plan: $eq}") {
		t.Errorf("error %q does not name the collection, the operation and the shape", errs[0])
	}
	if logs := rt.messages(&rt.logs); len(logs) != 0 {
		t.Errorf("FailUnserved also logged: %q", logs)
	}
}

func TestRecordQueriesLogsUnservedQueries(t *testing.T) {
	rt := runRecorded(t, odmtest.LogUnserved, func(t *testing.T, accounts *odm.Collection[account]) {
		if _, err := accounts.Query(bson.D{{Key: "team", Value: "core"}}).Sort(bson.D{{Key: "plan", Value: 1}}).All(ctx(t)); err != nil {
			t.Fatal(err)
		}
	})
	if errs := rt.messages(&rt.errors); len(errs) != 0 {
		t.Fatalf("LogUnserved failed the test: %q", errs)
	}
	logs := rt.messages(&rt.logs)
	if len(logs) != 1 || !strings.HasPrefix(logs[0], "odm: query not served by an index: accounts find {team: $eq} sort {plan: 1}") {
		t.Fatalf("want one log line for the sort done in memory, got %q", logs)
	}
}

func TestRecordQueriesStopsWhenTheTestEnds(t *testing.T) {
	var recorded int
	var stopped func() int
	t.Run("recording", func(t *testing.T) {
		db := odmtest.Database(t, account{})
		r := odmtest.RecordQueries(t, odmtest.FailUnserved)
		if _, err := odm.MustCollection[account](db).Find(ctx(t), bson.D{{Key: "email", Value: "b@example.com"}}); err != nil {
			t.Fatal(err)
		}
		recorded = len(r.Queries())
		stopped = func() int { return len(r.Queries()) }
	})
	if recorded != 1 {
		t.Fatalf("recorded %d query shapes, want 1", recorded)
	}
	other := odmtest.Database(t, account{})
	if _, err := odm.MustCollection[account](other).Find(ctx(t), bson.D{{Key: "team", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	if n := stopped(); n != 1 {
		t.Fatalf("the recorder went on after its test: %d shapes", n)
	}
}

func TestDatabaseLeavesTheCallersArgumentsAlone(t *testing.T) {
	args := make([]any, 1, 2)
	args[0] = account{}
	odmtest.Database(t, args...)
	if spare := args[:2][1]; spare != nil {
		t.Fatalf("Database wrote %v past the end of the caller's arguments", spare)
	}
}
