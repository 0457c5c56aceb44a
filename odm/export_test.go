package odm

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/reflectx"
)

// ReplyMeans is what the server's profile makes of a reply err, as the
// executor classifies it: "duplicates", "unsupported", "transient",
// "conflict", "gone", "invalid" or "other". The server is asked buildInfo
// through db. Tests read server replies through it instead of comparing
// codes.
func ReplyMeans(ctx context.Context, db *mongo.Database, err error) string {
	s := &serverInfo{db: db}
	switch s.classify(ctx, err, nil) {
	case classUnsupported:
		return "unsupported"
	case classTransient:
		return "transient"
	case classDuplicates:
		return "duplicates"
	case classConflict:
		return "conflict"
	case classGone:
		return "gone"
	case classInvalid:
		return "invalid"
	}
	return "other"
}

// ForgetDescriptions drops every cached model and struct description, so
// that the next Validate reads each model afresh: for benchmarks outside
// the package.
func ForgetDescriptions() {
	modelCache.Clear()
	reflectx.Forget()
}

// SchemaKeywordsRefused are the keywords of a $jsonSchema that the
// profile of db's server says it cannot evaluate.
func SchemaKeywordsRefused(ctx context.Context, db *mongo.Database, jsonSchema any) []string {
	s := &serverInfo{db: db}
	p, err := s.profile(ctx)
	if err != nil {
		return nil
	}
	return p.refusedSchemaKeywords(jsonSchema)
}
