package sharding

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"weak"

	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Topology is the kind of deployment, as far as sharding goes.
type Topology string

// The topologies Detect tells apart.
const (
	// Mongos is a MongoDB sharded cluster's router: hello says "isdbgrid"
	// and buildInfo carries gitVersion.
	Mongos Topology = "MongoDB mongos"
	// DocumentDBGateway is Microsoft's DocumentDB gateway (Azure
	// DocumentDB): hello says "isdbgrid" even on one node, and buildInfo
	// has neither gitVersion nor modules.
	DocumentDBGateway Topology = "DocumentDB gateway"
	// FerretDB is FerretDB v1 or v2, recognised from buildInfo.
	FerretDB Topology = "FerretDB"
	// Unsharded is a MongoDB replica set or standalone server.
	Unsharded Topology = "replica set or standalone"
)

// Server is what detection found about the deployment.
type Server struct {
	Topology Topology
	// Version is buildInfo's version (FerretDB's own for FerretDB).
	Version string
	// Major is the MongoDB major version a mongos reports; 0 when unknown.
	Major int
	// FerretMajor is 1 or 2 for FerretDB, else 0.
	FerretMajor int
}

// DocumentDB reports a server whose engine is DocumentDB: the gateway, or
// FerretDB v2 on DocumentDB, which keeps a collection's shard key (set
// through DocumentDB's SQL API) and scopes unique indexes by it.
func (s Server) DocumentDB() bool {
	return s.Topology == DocumentDBGateway || s.Topology == FerretDB && s.FerretMajor == 2
}

// Detect recognises the deployment from its hello and buildInfo replies.
func Detect(hello, buildInfo bson.Raw) Server {
	if v2, ok := buildInfo.Lookup("ferretdb").DocumentOK(); ok {
		return Server{Topology: FerretDB, Version: str(v2, "version"), FerretMajor: 2}
	}
	if v1, ok := buildInfo.Lookup("ferretdbVersion").StringValueOK(); ok {
		return Server{Topology: FerretDB, Version: v1, FerretMajor: 1}
	}
	s := Server{Topology: Unsharded, Version: str(buildInfo, "version")}
	if str(hello, "msg") != "isdbgrid" {
		return s
	}
	_, git := buildInfo.Lookup("gitVersion").StringValueOK()
	_, modules := buildInfo.Lookup("modules").ArrayOK()
	if !git && !modules {
		s.Topology = DocumentDBGateway
		return s
	}
	s.Topology = Mongos
	major, _, _ := strings.Cut(s.Version, ".")
	s.Major, _ = strconv.Atoi(major)
	return s
}

func str(doc bson.Raw, key string) string {
	s, _ := doc.Lookup(key).StringValueOK()
	return s
}

// detected holds each client's deployment, found once per client; the
// client is held weakly, so a disconnected client is not kept alive.
var detected = struct {
	sync.Mutex
	m map[weak.Pointer[mongo.Client]]Server
}{m: map[weak.Pointer[mongo.Client]]Server{}}

// detect asks hello and buildInfo once per client; a failure is returned,
// not remembered.
func detect(ctx context.Context, c *mongo.Client) (Server, error) {
	key := weak.Make(c)
	detected.Lock()
	s, ok := detected.m[key]
	detected.Unlock()
	if ok {
		return s, nil
	}
	admin := c.Database("admin")
	hello, err := admin.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Raw()
	if err != nil {
		return Server{}, &shard.Error{Op: "hello", Err: err}
	}
	info, err := admin.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return Server{}, &shard.Error{Op: "buildInfo", Err: err}
	}
	s = Detect(hello, info)
	detected.Lock()
	for k := range detected.m {
		if k.Value() == nil {
			delete(detected.m, k)
		}
	}
	detected.m[key] = s
	detected.Unlock()
	return s, nil
}
