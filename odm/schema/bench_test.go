package schema

import (
	"reflect"
	"testing"
	"time"
)

type benchModel struct {
	ID        string    `bson:"_id"`
	OrderID   string    `bson:"order_id" odm:"uniqueIndex"`
	Customer  string    `bson:"customer" odm:"index:idx_customer_placed,priority:1"`
	PlacedAt  time.Time `bson:"placed_at" odm:"index:idx_customer_placed,priority:2,sort:desc"`
	Status    string    `bson:"status" odm:"index"`
	ExpiresAt time.Time `bson:"expires_at" odm:"index,ttl:720h"`
	Lines     []struct {
		SKU string `bson:"sku" odm:"index"`
		Qty int    `bson:"qty"`
	} `bson:"lines"`
}

// BenchmarkDescribe measures, in one run and interleaved, reading a
// model's declarations afresh (tags, Indexes(), validation; the field walk
// of reflectx stays cached) against the cached description every Init
// after the first uses, and reports the ratio.
func BenchmarkDescribe(b *testing.B) {
	t := reflect.TypeFor[benchModel]()
	if _, err := describeModel(t); err != nil {
		b.Fatal(err)
	}
	var cold, warm time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if d := describeType(t); len(d.Problems) > 0 {
			b.Fatal(d.Problems)
		}
		mid := time.Now()
		if _, err := describeModel(t); err != nil {
			b.Fatal(err)
		}
		cold += mid.Sub(start)
		warm += time.Since(mid)
	}
	b.ReportMetric(float64(cold.Nanoseconds())/float64(b.N), "cold-ns/op")
	b.ReportMetric(float64(warm.Nanoseconds())/float64(b.N), "cached-ns/op")
	b.ReportMetric(float64(cold)/float64(warm), "cold/cached")
}
