package odmtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// setupTimeout bounds Database's odm.Init and its cleanup's drop.
const setupTimeout = 2 * time.Minute

// Database returns a fresh, empty database on the shared server (Connect),
// named after the test, with the indexes, collection options and
// validators the models declare created by odm.Init, and dropped when the
// test ends.
//
// args are what odm.Init takes: models (struct values or pointers), []any
// of models (registry.All()), and odm options. With none, the database is
// returned empty and no Init runs. Init runs with odm.SkipUnsupported:
// what the server lacks (on the embedded FerretDB: TTL, partial,
// collation, hidden, text, 2dsphere and hashed indexes, validators) is
// skipped and each skipped index or option is logged with t.Logf, while
// any other failure of Init, a wrong declaration first of all, fails the
// test.
func Database(t testing.TB, args ...any) *mongo.Database {
	t.Helper()
	s := Connect(t)
	name := databaseName(t.Name())
	db := s.Client.Database(name)
	t.Cleanup(func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Logf("odmtest: dropping database %s: %v", name, err)
		}
	})
	if len(args) == 0 {
		return db
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	// Clip: the caller's slice keeps its elements past len.
	report, err := odm.Init(ctx, db, append(slices.Clip(args), odm.SkipUnsupported())...)
	if err != nil {
		t.Fatalf("odmtest: %v", err)
		return db
	}
	logSkipped(t, s, report)
	return db
}

// logSkipped logs each index, option and search index Init skipped.
func logSkipped(t testing.TB, s *Server, report *outcome.Report) {
	t.Helper()
	for _, c := range report.Collections {
		for _, r := range c.Indexes {
			if r.Outcome == outcome.Skipped {
				t.Logf("odmtest: %s: index %s skipped: %s lacks %s: %s", c.Collection, r.Name, s.Name, strings.Join(r.Options, ", "), r.Reason)
			}
		}
		for _, r := range c.Options {
			if r.Outcome == outcome.Skipped {
				t.Logf("odmtest: %s: collection option %s skipped: %s lacks %s: %s", c.Collection, r.Name, s.Name, strings.Join(r.Options, ", "), r.Reason)
			}
		}
		for _, r := range c.Search {
			if r.Outcome == outcome.Skipped {
				t.Logf("odmtest: %s: search index %s skipped on %s: %s", c.Collection, r.Name, s.Name, r.Reason)
			}
		}
	}
}

var nameChars = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// databaseName is "t_", the end of the test's name, and a random suffix:
// within the 63 bytes of a database name, and apart from every other
// test's, the same test run again or in parallel included.
func databaseName(testName string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	base := strings.Trim(strings.ToLower(nameChars.ReplaceAllString(testName, "_")), "_")
	// 63 bytes: "t_", 52 of the name's last bytes, "_" and 8 hex digits.
	if len(base) > 52 {
		base = strings.TrimLeft(base[len(base)-52:], "_")
	}
	if base == "" {
		return "t_" + hex.EncodeToString(b)
	}
	return "t_" + base + "_" + hex.EncodeToString(b)
}

// Validate fails the test with odm.Validate's error, every problem of the
// models' declarations at once, when there is one; it contacts no server.
// args are what odm.Validate takes. A test that validates the service's
// models catches a bad tag in CI, before a deployment's Init would.
func Validate(t testing.TB, args ...any) {
	t.Helper()
	if err := odm.Validate(args...); err != nil {
		t.Fatal(err)
	}
}
