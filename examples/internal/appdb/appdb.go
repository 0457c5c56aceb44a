// Package appdb connects the example programs to a server: the one
// MONGODB_URI names, or else an embedded server started for the process.
package appdb

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/examples/embedded"
	_ "github.com/tagodm/tagodm/models" // the reference models register themselves
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/registry"
)

// Conn is a connected client and how to release it.
type Conn struct {
	Client *mongo.Client
	// Embedded reports that the server is the embedded one (FerretDB),
	// started by this process or shared through MONGODB_URI; it lacks some
	// index types (TTL, text, ...).
	Embedded bool
	// Partial reports a server known to lack some of MongoDB's features:
	// FerretDB, v1 (embedded or not) or v2. The examples let Init skip
	// what such a server lacks (odm.SkipUnsupported) and list it, and
	// require every declared feature of any other server.
	Partial bool
	// URI is the server's connection string.
	URI  string
	stop func()
}

// Open connects to MONGODB_URI, or starts the embedded server when it is
// unset.
func Open(ctx context.Context) (*Conn, error) {
	c := &Conn{URI: os.Getenv("MONGODB_URI"), stop: func() {}}
	if c.URI == "" {
		srv, err := embedded.Start(embedded.Options{})
		if err != nil {
			return nil, err
		}
		c.URI, c.Embedded, c.stop = srv.URI, true, srv.Stop
	}
	client, err := mongo.Connect(options.Client().ApplyURI(c.URI).SetTimeout(30 * time.Second))
	if err != nil {
		c.stop()
		return nil, err
	}
	if err := client.Ping(ctx, nil); err != nil {
		c.stop()
		return nil, fmt.Errorf("server does not answer: %w", err)
	}
	c.Client = client
	var info bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		c.Close()
		return nil, err
	}
	if _, ok := info["ferretdbVersion"]; ok {
		c.Embedded = true
	}
	_, v2 := info["ferretdb"]
	c.Partial = c.Embedded || v2
	return c, nil
}

// Start is the start-up every process of the reference service runs, the
// API and each worker alike: connect, then odm.Init with the registered
// models before any work. Against the embedded server, indexes it cannot
// build are skipped and reported; against a real server all must exist.
func Start(ctx context.Context, dbName string, log *slog.Logger) (*Conn, *mongo.Database, error) {
	conn, err := Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	db := conn.Client.Database(dbName)
	initCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	report, err := odm.Init(initCtx, db, registry.All(), odm.Logger(log), conn.SkipUnsupported())
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	log.Info("schema ready", "created", report.Count(outcome.Created), "existed", report.Count(outcome.Existed), "skipped", report.Count(outcome.Skipped))
	return conn, db, nil
}

// SkipUnsupported is odm.SkipUnsupported on a server known to lack some
// features (Partial), and nil (no option) on any other.
func (c *Conn) SkipUnsupported() odm.Option {
	if c.Partial {
		return odm.SkipUnsupported()
	}
	return nil
}

// Close disconnects and stops the embedded server, if one was started.
func (c *Conn) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.Client.Disconnect(ctx)
	c.stop()
}
