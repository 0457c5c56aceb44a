package testrig

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Mongos is a fake MongoDB mongos on the wire, in front of the test
// server: it answers hello and isMaster as a mongos does (msg
// "isdbgrid"), buildInfo as a MongoDB of the given version (with
// gitVersion), find on config.collections from a catalog the test sets,
// shardCollection and refineCollectionShardKey by updating that catalog
// the way the server's coordinator does (same key and options: ok;
// anything else: AlreadyInitialized 23), and checkMetadataConsistency
// from a list the test sets. Every other command goes to the test server.
// Refuse (of the embedded Proxy) scripts any other reply.
type Mongos struct {
	*Proxy
	version  string
	hello    bson.D
	mu       sync.Mutex
	catalog  []bson.D // config.collections documents
	metaDocs []bson.D
	// gateway: answer buildInfo as the DocumentDB gateway does (no
	// gitVersion, no modules).
	gateway bool
	// denied: answer the find on config.collections with Unauthorized.
	denied  bool
	replies map[string]bson.D // command name -> the reply the fake answers
}

// Reply makes the fake answer every later command named command with
// body (a mongos's per-shard raw reply, say) instead of passing it on.
func (m *Mongos) Reply(command string, body bson.D) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.replies == nil {
		m.replies = map[string]bson.D{}
	}
	m.replies[command] = body
}

// StartDocumentDBGateway starts a fake DocumentDB gateway in front of the
// test server: hello says "isdbgrid" as the gateway's always does, and
// buildInfo has only version, versionArray, bits, maxBsonObjectSize and
// ok (sharding-notes §1.1).
func StartDocumentDBGateway(t testing.TB) *Mongos {
	t.Helper()
	m := StartMongos(t, "7.0.0")
	m.gateway = true
	return m
}

// DenyCatalog makes the find on config.collections answer Unauthorized
// (13), as for a user without a role that reads config.
func (m *Mongos) DenyCatalog() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.denied = true
}

// StartMongos starts a fake mongos of the given MongoDB version ("7.0.14")
// in front of the test server, closed when the test ends.
func StartMongos(t testing.TB, version string) *Mongos {
	t.Helper()
	p := StartProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var real bson.D
	if err := Client().Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&real); err != nil {
		t.Fatalf("hello: %v", err)
	}
	m := &Mongos{Proxy: p, version: version}
	for _, e := range real {
		switch e.Key {
		case "setName", "setVersion", "hosts", "passives", "arbiters", "primary", "me", "secondary", "arbiterOnly",
			"electionId", "topologyVersion", "lastWrite", "tags", "msg", "ok":
		default:
			m.hello = append(m.hello, e)
		}
	}
	m.hello = append(m.hello, bson.E{Key: "msg", Value: "isdbgrid"}, bson.E{Key: "ok", Value: 1.0})
	p.intercept = m.answer
	return m
}

// URI is the fake mongos's URI, as a direct connection without retryable
// writes (the test server behind it is no replica set).
func (m *Mongos) URI() string {
	u, _ := url.Parse(m.Proxy.URI())
	q := u.Query()
	q.Set("retryWrites", "false")
	u.RawQuery = q.Encode()
	return u.String()
}

// Track adds a document to config.collections: {_id: ns, key, unique}
// as the coordinator writes it, or with unsplittable: true as 8.0 tracks
// unsharded collections.
func (m *Mongos) Track(doc bson.D) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.catalog = append(m.catalog, doc)
}

// Tracked returns the config.collections document of ns.
func (m *Mongos) Tracked(ns string) (bson.D, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.catalog {
		if field(d, "_id") == ns {
			return d, true
		}
	}
	return nil, false
}

// Inconsistencies sets the documents checkMetadataConsistency answers.
func (m *Mongos) Inconsistencies(docs ...bson.D) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.metaDocs = docs
}

// Client returns a client to the fake mongos whose commands are recorded
// (hello, buildInfo and authentication left out), disconnected when the
// test ends.
func (m *Mongos) Client(t testing.TB) (*mongo.Client, *Recorder) {
	t.Helper()
	rec := &Recorder{}
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		switch e.CommandName {
		case "hello", "isMaster", "ismaster", "buildInfo", "endSessions", "ping", "saslStart", "saslContinue":
			return
		}
		rec.mu.Lock()
		rec.cmds = append(rec.cmds, Command{Name: e.CommandName, Database: e.DatabaseName, Body: append(bson.Raw(nil), e.Command...)})
		rec.mu.Unlock()
	}}
	c, err := mongo.Connect(options.Client().ApplyURI(m.URI()).SetMonitor(mon))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c, rec
}

// The wire protocol's legacy OP_QUERY, which the driver's first hello of
// a connection uses, and its OP_REPLY.
const (
	opQuery = 2004
	opReply = 1
)

// answer is the reply to msg when the fake mongos answers it, else nil.
func (m *Mongos) answer(msg []byte) []byte {
	cmd, legacy := command(msg)
	if cmd == nil {
		return nil
	}
	elem, err := cmd.IndexErr(0)
	if err != nil {
		return nil
	}
	m.mu.Lock()
	body, scripted := m.replies[elem.Key()]
	m.mu.Unlock()
	if scripted {
		return replyTo(msg, body, legacy)
	}
	switch name := elem.Key(); {
	case strings.EqualFold(name, "hello") || strings.EqualFold(name, "isMaster"):
		body = append(bson.D{{Key: "localTime", Value: time.Now()}}, m.hello...)
		if name != "hello" {
			body = append(bson.D{{Key: "ismaster", Value: true}}, body...)
		}
	case name == "buildInfo" || name == "buildinfo":
		major := strings.Split(m.version, ".")[0]
		if m.gateway {
			body = bson.D{{Key: "version", Value: m.version}, {Key: "versionArray", Value: bson.A{atoi(major), int32(0), int32(0), int32(0)}},
				{Key: "bits", Value: int32(64)}, {Key: "maxBsonObjectSize", Value: int32(16 << 20)}, {Key: "ok", Value: 1.0}}
			break
		}
		body = bson.D{{Key: "version", Value: m.version}, {Key: "gitVersion", Value: "0000000000000000000000000000000000000000"},
			{Key: "modules", Value: bson.A{}}, {Key: "versionArray", Value: bson.A{atoi(major), int32(0), int32(0), int32(0)}},
			{Key: "bits", Value: int32(64)}, {Key: "maxBsonObjectSize", Value: int32(16 << 20)}, {Key: "ok", Value: 1.0}}
	case name == "find" && str(cmd, "$db") == "config" && str(cmd, "find") == "collections":
		m.mu.Lock()
		denied := m.denied
		m.mu.Unlock()
		if denied {
			body = refusal(13, "Unauthorized", "not authorized on config to execute command { find: \"collections\" }")
			break
		}
		body = m.find(cmd)
	case name == "shardCollection":
		body = m.shard(str(cmd, "shardCollection"), cmd)
	case name == "refineCollectionShardKey":
		body = m.refine(str(cmd, "refineCollectionShardKey"), cmd)
	case name == "checkMetadataConsistency":
		m.mu.Lock()
		docs := bson.A{}
		for _, d := range m.metaDocs {
			docs = append(docs, d)
		}
		m.mu.Unlock()
		body = bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)},
			{Key: "ns", Value: str(cmd, "$db") + ".$cmd.checkMetadataConsistency"}, {Key: "firstBatch", Value: docs}}}, {Key: "ok", Value: 1.0}}
	default:
		return nil
	}
	return replyTo(msg, body, legacy)
}

// find answers a find on config.collections: the documents whose _id is
// the filter's, less those tracked as unsplittable when the filter says
// unsplittable: {$ne: true}.
func (m *Mongos) find(cmd bson.Raw) bson.D {
	filter, _ := cmd.Lookup("filter").DocumentOK()
	id := str(filter, "_id")
	_, notUnsplittable := filter.Lookup("unsplittable", "$ne").BooleanOK()
	m.mu.Lock()
	batch := bson.A{}
	for _, d := range m.catalog {
		if id != "" && field(d, "_id") != id {
			continue
		}
		if notUnsplittable && field(d, "unsplittable") == true {
			continue
		}
		batch = append(batch, d)
	}
	m.mu.Unlock()
	return bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)}, {Key: "ns", Value: "config.collections"},
		{Key: "firstBatch", Value: batch}}}, {Key: "ok", Value: 1.0}}
}

// shard does what the coordinator does with shardCollection: a new
// namespace is tracked with the key; the same key and unique flag again
// is a no-op answered ok; anything else is AlreadyInitialized.
func (m *Mongos) shard(ns string, cmd bson.Raw) bson.D {
	key := rawD(cmd.Lookup("key"))
	unique, _ := cmd.Lookup("unique").BooleanOK()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, d := range m.catalog {
		if field(d, "_id") != ns {
			continue
		}
		if field(d, "unsplittable") == true {
			m.catalog = append(m.catalog[:i], m.catalog[i+1:]...)
			break
		}
		if sameKey(rawD(field(d, "key")), key) && field(d, "unique") == unique {
			return bson.D{{Key: "collectionsharded", Value: ns}, {Key: "ok", Value: 1.0}}
		}
		return refusal(23, "AlreadyInitialized", "sharding already enabled for collection "+ns)
	}
	m.catalog = append(m.catalog, bson.D{{Key: "_id", Value: ns}, {Key: "lastmodEpoch", Value: bson.NewObjectID()},
		{Key: "key", Value: key}, {Key: "unique", Value: unique}})
	return bson.D{{Key: "collectionsharded", Value: ns}, {Key: "ok", Value: 1.0}}
}

// refine replaces a tracked key by one it is a prefix of.
func (m *Mongos) refine(ns string, cmd bson.Raw) bson.D {
	key := rawD(cmd.Lookup("key"))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, d := range m.catalog {
		old := rawD(field(d, "key"))
		if field(d, "_id") != ns || field(d, "unsplittable") == true {
			continue
		}
		if len(old) >= len(key) || !sameKey(old, key[:len(old)]) {
			return refusal(72, "InvalidOptions", "refined key must extend the current shard key")
		}
		for j, e := range d {
			if e.Key == "key" {
				m.catalog[i][j].Value = key
			}
		}
		return bson.D{{Key: "ok", Value: 1.0}}
	}
	return refusal(118, "NamespaceNotSharded", "namespace "+ns+" is not sharded")
}

func refusal(code int32, name, msg string) bson.D {
	return bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: msg}, {Key: "code", Value: code}, {Key: "codeName", Value: name}}
}

// command is the command document of an OP_MSG (section kind 0) or of
// an OP_QUERY on a $cmd namespace (legacy).
func command(msg []byte) (doc bson.Raw, legacy bool) {
	switch binary.LittleEndian.Uint32(msg[12:]) {
	case opMsg:
		if len(msg) < 21 || msg[20] != 0 {
			return nil, false
		}
		return bson.Raw(msg[21:]), false
	case opQuery:
		end := bytes.IndexByte(msg[20:], 0)
		if end < 0 || !strings.HasSuffix(string(msg[20:20+end]), ".$cmd") {
			return nil, false
		}
		doc := bson.Raw(msg[20+end+1+8:])
		if q, ok := doc.Lookup("$query").DocumentOK(); ok {
			doc = q
		}
		return doc, true
	}
	return nil, false
}

// replyTo frames body as the reply to msg: OP_MSG, or OP_REPLY to a
// legacy OP_QUERY.
func replyTo(msg []byte, body bson.D, legacy bool) []byte {
	doc, err := bson.Marshal(body)
	if err != nil {
		return nil
	}
	head := 21
	if legacy {
		head = 36
	}
	reply := make([]byte, head, head+len(doc))
	binary.LittleEndian.PutUint32(reply[0:], uint32(head+len(doc)))
	binary.LittleEndian.PutUint32(reply[4:], binary.LittleEndian.Uint32(msg[4:])+1<<30)
	binary.LittleEndian.PutUint32(reply[8:], binary.LittleEndian.Uint32(msg[4:]))
	if legacy {
		binary.LittleEndian.PutUint32(reply[12:], opReply)
		binary.LittleEndian.PutUint32(reply[32:], 1) // numberReturned
	} else {
		binary.LittleEndian.PutUint32(reply[12:], opMsg)
	}
	return append(reply, doc...)
}

func str(doc bson.Raw, key string) string {
	s, _ := doc.Lookup(key).StringValueOK()
	return s
}

func field(d bson.D, key string) any {
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// rawD is a document value as a bson.D, whatever form it came in.
func rawD(v any) bson.D {
	switch v := v.(type) {
	case bson.D:
		return v
	case bson.RawValue:
		var d bson.D
		if doc, ok := v.DocumentOK(); ok {
			_ = bson.Unmarshal(doc, &d)
		}
		return d
	}
	return nil
}

// sameKey compares two key patterns, numbers by value.
func sameKey(a, b bson.D) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || fmt.Sprint(num(a[i].Value)) != fmt.Sprint(num(b[i].Value)) {
			return false
		}
	}
	return true
}

func num(v any) any {
	switch v := v.(type) {
	case int32:
		return float64(v)
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return v
}

func atoi(s string) int32 {
	var n int32
	_, _ = fmt.Sscan(s, &n)
	return n
}
