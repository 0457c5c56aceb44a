package odm

import (
	"context"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/internal/memo"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// LeaseCollection is the collection of the leases Init takes for
// destructive steps.
const LeaseCollection = engine.LeaseCollection

// ReplyMeans is what the server's profile makes of a reply err, as the
// executor classifies it: "duplicates", "unsupported", "transient",
// "conflict", "gone", "invalid" or "other". The server is asked buildInfo
// through db. Tests read server replies through it instead of comparing
// codes.
func ReplyMeans(ctx context.Context, db *mongo.Database, err error) string {
	s := &engine.ServerInfo{DB: db}
	switch s.Classify(ctx, err, nil) {
	case serverprofile.ClassUnsupported:
		return "unsupported"
	case serverprofile.ClassTransient:
		return "transient"
	case serverprofile.ClassDuplicates:
		return "duplicates"
	case serverprofile.ClassConflict:
		return "conflict"
	case serverprofile.ClassGone:
		return "gone"
	case serverprofile.ClassInvalid:
		return "invalid"
	}
	return "other"
}

// ForgetDescriptions drops every cached model and struct description, so
// that the next Validate reads each model afresh: for benchmarks outside
// the package.
func ForgetDescriptions() {
	memo.Forget()
	reflectx.Forget()
}

// SchemaKeywordsRefused are the keywords of a $jsonSchema that the
// profile of db's server says it cannot evaluate.
func SchemaKeywordsRefused(ctx context.Context, db *mongo.Database, jsonSchema any) []string {
	s := &engine.ServerInfo{DB: db}
	p, err := s.Profile(ctx)
	if err != nil {
		return nil
	}
	return p.RefusedSchemaKeywords(jsonSchema)
}
