package codec_test

import (
	"bytes"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm/internal/codec"
)

// smallDoc is a document of a few short fields.
type smallDoc struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Email string        `bson:"email"`
	Team  string        `bson:"team"`
	Age   int           `bson:"age"`
	Rev   int64         `bson:"rev"`
}

// marshalLike encodes v as the driver's insert does: a new buffer, the
// repository's options.
func marshalLike(v any) {
	buf := new(bytes.Buffer)
	enc := bson.NewEncoder(bson.NewDocumentWriter(buf))
	enc.NilSliceAsEmpty()
	enc.NilMapAsEmpty()
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
}

// BenchmarkMarshalPaths compares the driver's insert encoding of a struct
// with the compiled codec's encoding handed to the driver as bson.Raw,
// which the driver copies element by element: the reason the repository
// leaves inserts to the driver.
func BenchmarkMarshalPaths(b *testing.B) {
	exec, _ := referenceDocs(b)
	var e models.Execution
	_ = bson.Unmarshal(exec, &e)
	small := smallDoc{Email: "m1@x", Team: "t1", Age: 3, Rev: 1}
	for _, tc := range []struct {
		name string
		ptr  any
	}{{"small", &small}, {"execution", &e}} {
		c := codec.Compile(nil, reflect.TypeOf(tc.ptr).Elem())
		opts := codec.EncodeOptions{NilSliceAsEmpty: true, NilMapAsEmpty: true}
		b.Run(tc.name+"/driver", func(b *testing.B) {
			for range b.N {
				marshalLike(tc.ptr)
			}
		})
		b.Run(tc.name+"/codec+copy", func(b *testing.B) {
			buf := make([]byte, 0, 64<<10)
			for i := range b.N {
				if i%100 == 0 {
					buf = buf[:0]
				}
				start := len(buf)
				buf, _ = c.Append(buf, tc.ptr, opts)
				marshalLike(bson.Raw(buf[start:]))
			}
		})
	}
}
