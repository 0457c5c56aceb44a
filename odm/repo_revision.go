package odm

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// AtomicFilteredWrites reports whether client's server applies a filtered
// write's filter and write atomically, as MongoDB does and as the revision
// guard relies on: false for a server whose profile was measured not to
// (FerretDB v1, recognised by buildInfo; FerretDB v2 on DocumentDB was
// measured atomic). The answer comes from the profile, not from a race run
// against the caller's database, and is asked once per client.
func AtomicFilteredWrites(ctx context.Context, client *mongo.Client) (bool, error) {
	if client == nil {
		return false, fmt.Errorf("odm: AtomicFilteredWrites: the client is nil")
	}
	lacks, _, err := serverprofile.LacksAtomicFilteredWrites(ctx, client)
	if err != nil {
		return false, fmt.Errorf("odm: buildInfo: %w", err)
	}
	return !lacks, nil
}
