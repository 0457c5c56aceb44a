package serverprofile

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// What the repositories ask of a server's profile about document writes.
// The codes and messages of the writes' refusals are read by package
// servererr.

// atomicity is what is known of a client's server: whether it applies a
// filtered write's filter and write atomically.
type atomicity struct {
	mu    sync.Mutex
	known bool
	lacks bool
	name  string
}

// servers holds an *atomicity per *mongo.Client, looked at once per client.
var servers sync.Map

// LacksAtomicFilteredWrites asks the client's server once (buildInfo) and
// reports whether it is one known not to make a filtered write atomic. A
// failed look is not remembered, so a later write asks again. A nil ctx is
// an error (the session context below would panic on it).
func LacksAtomicFilteredWrites(ctx context.Context, client *mongo.Client) (bool, string, error) {
	if ctx == nil {
		return false, "", errors.New("a context is needed, got nil")
	}
	v, _ := servers.LoadOrStore(client, &atomicity{})
	a := v.(*atomicity)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.known {
		return a.lacks, a.name, nil
	}
	// Outside the caller's session: buildInfo is not allowed in a
	// transaction, and a refused command would abort it.
	noSession := mongo.NewSessionContext(ctx, nil)
	info, err := client.Database("admin").RunCommand(noSession, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return false, "", err
	}
	a.lacks, a.name = classifyServer(info)
	a.known = true
	return a.lacks, a.name, nil
}

// classifyServer reads buildInfo through the server's profile, whose
// answer is measured (TestFilteredWriteRaces): FerretDB v1 does not apply
// a filtered write's filter and write atomically; MongoDB and FerretDB v2
// on DocumentDB do.
func classifyServer(info bson.Raw) (lacks bool, name string) {
	p := FromBuildInfo(info)
	if !p.NonAtomicFilteredWrites {
		return false, ""
	}
	return true, p.Name
}
