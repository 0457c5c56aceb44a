package codec_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm/internal/codec"
)

// referenceDocs are an execution and an execution_completed event with
// realistic fields, as the driver encodes them.
func referenceDocs(tb testing.TB) (exec, event []byte) {
	tb.Helper()
	out, errText, user, code := "hello\nworld\n", "", "user-42", 0
	e := models.Execution{ID: bson.NewObjectID(), ExecutionID: "3f1b8c9e-2d4a-4c1e-9a7b-6f2e1d0c9b8a",
		Script: "print('hello')\nfor i in range(10):\n    print(i)\n", Status: "completed",
		Stdout: &out, Stderr: &errText, Lang: "python", LangVersion: "3.11",
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), UpdatedAt: time.Now().UTC().Truncate(time.Millisecond),
		ResourceUsage: &models.ResourceUsage{ExecutionTimeWallSeconds: 1.25, CPUTimeJiffies: 87, ClkTckHertz: 100, PeakMemoryKB: 20480},
		UserID:        &user, ExitCode: &code, Priority: "normal"}
	var ev models.ExecutionCompletedEvent
	ev.SetDefaults()
	ev.ExecutionID = e.ExecutionID
	ev.Stdout = out
	ev.ResourceUsage = &models.ResourceUsageDomain{ExecutionTimeWallSeconds: 1.25, CPUTimeJiffies: 87, ClkTckHertz: 100, PeakMemoryKB: 20480}
	ev.Metadata = models.EventMetadata{ServiceName: "execution-coordinator", ServiceVersion: "1.4.2", UserID: user, Environment: "production"}
	var err error
	if exec, err = bson.Marshal(e); err != nil {
		tb.Fatal(err)
	}
	if event, err = bson.Marshal(ev); err != nil {
		tb.Fatal(err)
	}
	return exec, event
}

func TestReferenceDocsDecodeAsTheDriverDoes(t *testing.T) {
	exec, event := referenceDocs(t)
	check := func(doc []byte, typ reflect.Type) {
		want, got := reflect.New(typ), reflect.New(typ)
		if err := bson.Unmarshal(doc, want.Interface()); err != nil {
			t.Fatal(err)
		}
		c := codec.Compile(nil, typ)
		if err := c.Decode(doc, got.Interface()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want.Interface(), got.Interface()) {
			t.Fatalf("%s:\n driver %#v\n codec  %#v", typ, want.Elem(), got.Elem())
		}
		if fb := c.Fallbacks(); len(fb) > 0 {
			t.Fatalf("%s falls back: %v", typ, fb)
		}
	}
	check(exec, reflect.TypeFor[models.Execution]())
	check(event, reflect.TypeFor[models.ExecutionCompletedEvent]())
}

// referenceCase is a reference document and its model type.
type referenceCase struct {
	name string
	doc  []byte
	typ  reflect.Type
}

// referenceCases are the reference documents of referenceDocs.
func referenceCases(tb testing.TB) []referenceCase {
	exec, event := referenceDocs(tb)
	return []referenceCase{{"execution", exec, reflect.TypeFor[models.Execution]()},
		{"event", event, reflect.TypeFor[models.ExecutionCompletedEvent]()}}
}

// compareRuns runs viaCodec and viaDriver in turns, 100 calls at a time,
// and reports both times a document, the speedup and both allocations.
func compareRuns(b *testing.B, viaCodec, viaDriver func()) {
	const n = 100
	var compiled, driver time.Duration
	for i := 0; i < b.N; i++ {
		compiled += timed(n, viaCodec)
		driver += timed(n, viaDriver)
	}
	b.ReportMetric(float64(compiled.Nanoseconds())/float64(b.N*n), "codec-ns/doc")
	b.ReportMetric(float64(driver.Nanoseconds())/float64(b.N*n), "driver-ns/doc")
	b.ReportMetric(float64(driver)/float64(compiled), "speedup")
	b.ReportMetric(testing.AllocsPerRun(n, viaCodec), "codec-allocs/doc")
	b.ReportMetric(testing.AllocsPerRun(n, viaDriver), "driver-allocs/doc")
}

// timed is how long n calls of f take.
func timed(n int, f func()) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start)
}

// BenchmarkDecode decodes reference documents with the compiled codec and
// with bson.Unmarshal, alternately in one run, and reports the ratios of
// time and allocations.
func BenchmarkDecode(b *testing.B) {
	for _, tc := range referenceCases(b) {
		b.Run(tc.name, func(b *testing.B) {
			c := codec.Compile(nil, tc.typ)
			viaCodec := func() {
				if err := c.Decode(tc.doc, reflect.New(tc.typ).Interface()); err != nil {
					b.Fatal(err)
				}
			}
			viaDriver := func() {
				if err := bson.Unmarshal(tc.doc, reflect.New(tc.typ).Interface()); err != nil {
					b.Fatal(err)
				}
			}
			compareRuns(b, viaCodec, viaDriver)
		})
	}
}

func TestReferenceDocsEncodeAsTheDriverDoes(t *testing.T) {
	exec, event := referenceDocs(t)
	for _, tc := range []struct {
		doc []byte
		typ reflect.Type
	}{{exec, reflect.TypeFor[models.Execution]()}, {event, reflect.TypeFor[models.ExecutionCompletedEvent]()}} {
		v := reflect.New(tc.typ)
		if err := bson.Unmarshal(tc.doc, v.Interface()); err != nil {
			t.Fatal(err)
		}
		c := codec.Compile(nil, tc.typ)
		got, err := c.Append(nil, v.Interface(), codec.EncodeOptions{NilSliceAsEmpty: true, NilMapAsEmpty: true})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.doc) {
			t.Fatalf("%s:\n driver %v\n codec  %v", tc.typ, bson.Raw(tc.doc), bson.Raw(got))
		}
	}
}

// BenchmarkEncode encodes reference documents with the compiled codec and
// with the driver's Encoder (the repository's options), alternately in one
// run, and reports the ratios of time and allocations.
func BenchmarkEncode(b *testing.B) {
	opts := codec.EncodeOptions{NilSliceAsEmpty: true, NilMapAsEmpty: true}
	for _, tc := range referenceCases(b) {
		b.Run(tc.name, func(b *testing.B) {
			c := codec.Compile(nil, tc.typ)
			v := reflect.New(tc.typ)
			if err := bson.Unmarshal(tc.doc, v.Interface()); err != nil {
				b.Fatal(err)
			}
			ptr := v.Interface()
			viaCodec := func() {
				if _, err := c.Append(nil, ptr, opts); err != nil {
					b.Fatal(err)
				}
			}
			viaDriver := func() {
				var buf bytes.Buffer
				enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
				enc.NilSliceAsEmpty()
				enc.NilMapAsEmpty()
				if err := enc.Encode(ptr); err != nil {
					b.Fatal(err)
				}
			}
			compareRuns(b, viaCodec, viaDriver)
		})
	}
}
