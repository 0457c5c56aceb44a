package serverprofile

import (
	"context"
	"sync"
	"weak"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// known is what is known of one client's server: its profile, once a
// buildInfo succeeded. The mutex makes concurrent first callers ask once.
type known struct {
	mu      sync.Mutex
	profile *Profile
}

// clients holds a *known per client, by a weak pointer: a client reaches
// one deployment, whose buildInfo a process need not ask again, and the
// key does not keep a disconnected client alive.
var clients sync.Map

// Of is the profile of the client's server, from its buildInfo answer,
// asked once per client for the engine and the repositories alike. A
// failure (a dropped connection, say) is returned, not remembered, so a
// later call asks again. buildInfo is sent outside any session ctx
// carries: it is not allowed in a transaction, and a refused command
// would abort it.
func Of(ctx context.Context, client *mongo.Client) (*Profile, error) {
	v, _ := clients.LoadOrStore(weak.Make(client), &known{})
	k := v.(*known)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.profile != nil {
		return k.profile, nil
	}
	noSession := mongo.NewSessionContext(ctx, nil)
	info, err := client.Database("admin").RunCommand(noSession, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return nil, err
	}
	k.profile = FromBuildInfo(info)
	return k.profile, nil
}
