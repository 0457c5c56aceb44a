package odm_test

import (
	"context"
	"encoding/binary"
	"reflect"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/internal/codec"
)

// BenchmarkInsertEncodedCeiling10k measures what an insert of 10,000
// reference documents would cost if the driver accepted documents already
// encoded: the compiled codec's bytes (an _id put first, as the driver's
// InsertMany does) sent as the documents array of hand-built insert
// commands of at most 15 MB each, against the bare driver's InsertMany.
//
// It is not a repository path and must not become one: a command run by
// RunCommand has no retryable writes and no collection write concern, and
// its write errors are in the reply rather than a BulkWriteException. The
// driver's InsertMany copies every document it is handed (bson.Raw
// included) element by element, so the repository's inserts stay on the
// driver's encoding; this benchmark is the figure that decision gives up.
func BenchmarkInsertEncodedCeiling10k(b *testing.B) {
	b.Run("executions", func(b *testing.B) { benchInsertCeiling(b, referenceExecution) })
	b.Run("events", func(b *testing.B) { benchInsertCeiling(b, referenceEvent) })
}

// encodedArray is a BSON array already encoded, which the driver appends
// to a command as it is.
type encodedArray []byte

// MarshalBSONValue implements bson.ValueMarshaler.
func (a encodedArray) MarshalBSONValue() (byte, []byte, error) {
	return byte(bson.TypeArray), a, nil
}

func benchInsertCeiling[T any](b *testing.B, newDoc func(int) T) {
	ctx := context.Background()
	db := testrig.Database(b, nil)
	c := codec.For(nil, reflect.TypeFor[T]())
	opts := codec.EncodeOptions{NilSliceAsEmpty: true, NilMapAsEmpty: true}
	viaCommands := func() cost {
		docs := referenceRun(newDoc)
		emptyCollection(b, db, "bench_encoded")
		c0, t0 := cpuTime(), time.Now()
		var doc []byte
		for i := 0; i < len(docs); {
			arr, n := make([]byte, 4, 1<<20), 0
			for ; i < len(docs) && len(arr) < 15<<20; i, n = i+1, n+1 {
				var err error
				if doc, err = c.Append(doc[:0], &docs[i], opts); err != nil {
					b.Fatal(err)
				}
				arr = append(arr, byte(bson.TypeEmbeddedDocument))
				arr = append(strconv.AppendInt(arr, int64(n), 10), 0)
				arr = appendWithID(arr, doc)
			}
			arr = append(arr, 0)
			binary.LittleEndian.PutUint32(arr, uint32(len(arr)))
			var reply struct {
				N int `bson:"n"`
			}
			cmd := bson.D{{Key: "insert", Value: "bench_encoded"}, {Key: "documents", Value: encodedArray(arr)}}
			if err := db.RunCommand(ctx, cmd).Decode(&reply); err != nil || reply.N != n {
				b.Fatalf("inserted %d of %d: %v", reply.N, n, err)
			}
		}
		return cost{time.Since(t0), cpuTime() - c0}
	}
	b.ResetTimer()
	interleaveNamed(b, "encoded", viaCommands, func() cost { return driverInsertMany(b, db, newDoc) })
}

// appendWithID appends doc with a new ObjectID as its first element, as
// the driver gives a document without an _id (the reference documents
// leave a zero _id out).
func appendWithID(dst, doc []byte) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, byte(bson.TypeObjectID), '_', 'i', 'd', 0)
	id := bson.NewObjectID()
	dst = append(dst, id[:]...)
	dst = append(dst, doc[4:]...)
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst
}
