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
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ServerInfo finds the server's profile once per Init, and only when the
// engine needs it: a steady-state Init sends nothing but its listings.
type ServerInfo struct {
	DB    *mongo.Database
	Shard *sharding.Session // nil: nothing about shard keys is read or sent
	mu    sync.Mutex
	known *serverprofile.Profile // nil until buildInfo succeeded

	keyOnce sync.Once
	memoKey any // rememberKey of this client and database, boxed once
}

// Profile is the server's profile (serverprofile.Of, asked once per
// client); a failure (a dropped connection, say) is returned for the
// caller to retry, not remembered.
func (i *ServerInfo) Profile(ctx context.Context) (*serverprofile.Profile, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.known != nil {
		return i.known, nil
	}
	p, err := serverprofile.Of(ctx, i.DB.Client())
	if err != nil {
		return nil, &outcome.IndexError{Op: "buildInfo", Err: err}
	}
	i.known = p
	return p, nil
}

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

// rememberKey is the Memo key of this client's refusals in this database,
// the same value for every collection of an Init.
func (i *ServerInfo) rememberKey() any {
	i.keyOnce.Do(func() {
		i.memoKey = rememberKey{client: weak.Make(i.DB.Client()), db: i.DB.Name()}
	})
	return i.memoKey
}
