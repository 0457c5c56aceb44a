package engine

import (
	"context"
	"sync"
	"weak"

	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ServerInfo finds the server's profile once per Init, and only when the
// engine needs it: a steady-state Init sends nothing but its listings.
type ServerInfo struct {
	DB    *mongo.Database
	Shard *sharding.Session // nil: nothing about shard keys is read or sent
	mu    sync.Mutex
	known *serverprofile.Profile // nil until buildInfo succeeded

	weakOnce   sync.Once
	weakClient weak.Pointer[mongo.Client]
	memoKey    any // rememberKey of this client and database, boxed once
}

// Profile asks buildInfo once it succeeds; a failure (a dropped
// connection, say) is returned for the caller to retry, not remembered.
func (i *ServerInfo) Profile(ctx context.Context) (*serverprofile.Profile, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.known != nil {
		return i.known, nil
	}
	client := i.client()
	if p, ok := clientProfiles.Load(client); ok {
		i.known = p.(*serverprofile.Profile)
		return i.known, nil
	}
	info, err := i.DB.Client().Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return nil, &outcome.IndexError{Op: "buildInfo", Err: err}
	}
	i.known = serverprofile.FromBuildInfo(info)
	clientProfiles.Store(client, i.known)
	return i.known, nil
}

// clientProfiles are the profiles of the servers each client has asked,
// by a weak pointer to the client: a client reaches one deployment, whose
// buildInfo a process need not ask again at every Init. The key does not
// keep a disconnected client alive.
var clientProfiles sync.Map

// Classify classifies a reply with the server's profile, asking for it if
// need be; when buildInfo fails too, MongoDB's codes alone decide.
func (i *ServerInfo) Classify(ctx context.Context, err error, spec *schema.IndexSpec) serverprofile.Class {
	if err == nil {
		return serverprofile.ClassOther
	}
	if _, ok := servererr.Code(err); !ok {
		return serverprofile.MongoDB.Classify(err, spec)
	}
	p, perr := i.Profile(ctx)
	if perr != nil {
		p = serverprofile.MongoDB
	}
	return p.Classify(err, spec)
}

// client is a weak pointer to the database's client, made once: the key
// of what is remembered per client.
func (i *ServerInfo) client() weak.Pointer[mongo.Client] {
	i.once()
	return i.weakClient
}

// rememberKey is the Memo key of this client's refusals in this database,
// the same value for every collection of an Init.
func (i *ServerInfo) rememberKey() any {
	i.once()
	return i.memoKey
}

func (i *ServerInfo) once() {
	i.weakOnce.Do(func() {
		i.weakClient = weak.Make(i.DB.Client())
		i.memoKey = rememberKey{client: i.weakClient, db: i.DB.Name()}
	})
}
