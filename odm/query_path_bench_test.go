package odm

import (
	"testing"
	"time"

	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkPathCheckCached is the cost a repository call pays for the path
// check of a query shape it has run before: a filter of three conditions
// (one an operator document), a sort of two keys. The goal is under 1 µs.
func BenchmarkPathCheckCached(b *testing.B) {
	orders := offline[testmodels.PathOrder](b)
	filter := bson.D{
		{Key: "status", Value: "open"},
		{Key: "items.sku", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}},
		{Key: "created_at", Value: bson.D{{Key: "$gte", Value: time.Now()}}},
	}
	parts := pathcheck.Parts{Sort: bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}}
	if _, err := orders.checkQuery("find", filter, parts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := orders.checkQuery("find", filter, parts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPathCheckFirst is the check of a shape never seen: the walk of
// every path through the model's description.
func BenchmarkPathCheckFirst(b *testing.B) {
	orders := offline[testmodels.PathOrder](b)
	filter := bson.D{
		{Key: "status", Value: "open"},
		{Key: "items.sku", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}},
		{Key: "created_at", Value: bson.D{{Key: "$gte", Value: time.Now()}}},
	}
	pc, err := pathcheck.For(orders.model())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		pc.Mu.Lock()
		clear(pc.Shapes)
		pc.Mu.Unlock()
		if _, err := orders.checkQuery("find", filter, pathcheck.Parts{}); err != nil {
			b.Fatal(err)
		}
	}
}
