package odm

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ReplyMeans is what the server's profile makes of a reply err, as the
// executor classifies it: "duplicates", "unsupported", "transient",
// "conflict", "gone" or "other". The server is asked buildInfo through db.
// Tests read server replies through it instead of comparing codes.
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
	}
	return "other"
}
