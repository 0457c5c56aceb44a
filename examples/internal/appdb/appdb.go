// Package appdb connects the example programs to a server: the one
// MONGODB_URI names, or else an embedded server started for the process.
package appdb

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/examples/embedded"
)

// Conn is a connected client and how to release it.
type Conn struct {
	Client *mongo.Client
	// Embedded reports that the server is the embedded one, which lacks
	// some index types (TTL, text, ...).
	Embedded bool
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
	return c, nil
}

// Close disconnects and stops the embedded server, if one was started.
func (c *Conn) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.Client.Disconnect(ctx)
	c.stop()
}
