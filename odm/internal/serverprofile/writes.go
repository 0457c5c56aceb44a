package serverprofile

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// What the repositories ask of a server's profile about document writes.
// The codes and messages of the writes' refusals are read by package
// servererr.

// LacksAtomicFilteredWrites reports whether the client's server is one
// known not to make a filtered write atomic, with the server's name when
// it is (the profile is asked once per client: Of). A nil ctx is an error
// (the session context Of makes would panic on it).
func LacksAtomicFilteredWrites(ctx context.Context, client *mongo.Client) (bool, string, error) {
	if ctx == nil {
		return false, "", errors.New("a context is needed, got nil")
	}
	p, err := Of(ctx, client)
	if err != nil {
		return false, "", err
	}
	lacks, name := lacksAtomicity(p)
	return lacks, name, nil
}

// lacksAtomicity reads the profile's measured answer
// (TestFilteredWriteRaces): FerretDB v1 does not apply a filtered write's
// filter and write atomically; MongoDB and FerretDB v2 on DocumentDB do.
func lacksAtomicity(p *Profile) (lacks bool, name string) {
	if !p.NonAtomicFilteredWrites {
		return false, ""
	}
	return true, p.Name
}
