package testrig

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// IndexDoc is an index document (a createIndexes entry or a listIndexes
// result) reduced to what tests compare: the name, the keys in order, and
// the other options with numbers made comparable. Fields MongoDB adds
// (v, ns, background) are left out.
type IndexDoc struct {
	Name    string
	Keys    []string          // "field:value", in order
	Options map[string]string // option -> value as canonical text
}

// String renders the value on one line.
func (d IndexDoc) String() string {
	var opts []string
	for k, v := range d.Options {
		opts = append(opts, k+"="+v)
	}
	sort.Strings(opts)
	return fmt.Sprintf("%s {%s} %s", d.Name, strings.Join(d.Keys, ", "), strings.Join(opts, " "))
}

// ParseIndexDoc reduces a raw index document.
func ParseIndexDoc(raw bson.Raw) (IndexDoc, error) {
	elems, err := raw.Elements()
	if err != nil {
		return IndexDoc{}, err
	}
	d := IndexDoc{Options: map[string]string{}}
	for _, e := range elems {
		switch e.Key() {
		case "v", "ns", "background":
		case "name":
			d.Name = e.Value().StringValue()
		case "key":
			keys, err := e.Value().Document().Elements()
			if err != nil {
				return IndexDoc{}, err
			}
			for _, k := range keys {
				d.Keys = append(d.Keys, k.Key()+":"+Canonical(k.Value()))
			}
		case "weights", "collation":
			// MongoDB compares these as sets of fields: it lists
			// weights sorted, FerretDB v2 in declaration order.
			d.Options[e.Key()] = sortedCanonical(e.Value())
		default:
			d.Options[e.Key()] = Canonical(e.Value())
		}
	}
	return d, nil
}

// sortedCanonical is Canonical with a document's fields sorted by name.
func sortedCanonical(v bson.RawValue) string {
	doc, ok := v.DocumentOK()
	if !ok {
		return Canonical(v)
	}
	elems, _ := doc.Elements()
	parts := make([]string, len(elems))
	for i, e := range elems {
		parts[i] = e.Key() + ":" + Canonical(e.Value())
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// Canonical renders a value so that equal values of different numeric BSON
// types (int32 1, int64 1, double 1.0) render the same, and documents keep
// their field order.
func Canonical(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
		f := v.AsFloat64()
		if f == math.Trunc(f) {
			return fmt.Sprintf("%d", int64(f))
		}
		return fmt.Sprint(f)
	case bson.TypeString:
		return v.StringValue()
	case bson.TypeBoolean:
		return fmt.Sprint(v.Boolean())
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		parts := make([]string, len(elems))
		for i, e := range elems {
			parts[i] = e.Key() + ":" + Canonical(e.Value())
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return v.String()
}

// ListIndexes lists a collection's indexes through the shared client,
// by name.
func ListIndexes(t testing.TB, dbName, coll string) map[string]IndexDoc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cur, err := Client().Database(dbName).Collection(coll).Indexes().List(ctx)
	if err != nil {
		t.Fatalf("listIndexes on %s: %v", coll, err)
	}
	out := map[string]IndexDoc{}
	for cur.Next(ctx) {
		d, err := ParseIndexDoc(cur.Current)
		if err != nil {
			t.Fatal(err)
		}
		out[d.Name] = d
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ListIndexesRaw lists a collection's indexes through the shared client,
// as the server gives them.
func ListIndexesRaw(t testing.TB, dbName, coll string) []bson.Raw {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cur, err := Client().Database(dbName).Collection(coll).Indexes().List(ctx)
	if err != nil {
		t.Fatalf("listIndexes on %s: %v", coll, err)
	}
	var out []bson.Raw
	for cur.Next(ctx) {
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// SentIndexes returns the index entries of the recorded createIndexes
// commands, by collection and index name (the last entry sent wins).
func (r *Recorder) SentIndexes(t testing.TB) map[string]map[string]IndexDoc {
	t.Helper()
	out := map[string]map[string]IndexDoc{}
	for _, cmd := range r.Commands("createIndexes") {
		coll := cmd.Body.Lookup("createIndexes").StringValue()
		entries, err := cmd.Body.Lookup("indexes").Array().Values()
		if err != nil {
			t.Fatal(err)
		}
		if out[coll] == nil {
			out[coll] = map[string]IndexDoc{}
		}
		for _, e := range entries {
			d, err := ParseIndexDoc(e.Document())
			if err != nil {
				t.Fatal(err)
			}
			out[coll][d.Name] = d
		}
	}
	return out
}
