// Package embedded starts an in-process MongoDB-wire server (FerretDB with
// its SQLite backend) for the examples and the test rig, so that nothing has
// to be installed to run them.
//
// It lives in its own Go module so that services importing the library do
// not pull FerretDB and its dependencies into their builds.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Server is a running embedded server.
type Server struct {
	// URI is the MongoDB connection string of the server.
	URI string

	cancel context.CancelFunc
	done   chan struct{}
	dir    string
	owned  bool
}

// Options configure Start.
type Options struct {
	// Dir holds the SQLite files. When empty, a temporary directory is
	// created and removed by Stop.
	Dir string
	// Addr is the TCP address to listen on; "127.0.0.1:0" (a free loopback
	// port) when empty.
	Addr string
	// Logger receives the server's own logs; they are discarded when nil.
	Logger *slog.Logger
}

// Start starts a server and waits until it accepts connections.
func Start(opts Options) (*Server, error) {
	s := &Server{done: make(chan struct{}), dir: opts.Dir}
	if s.dir == "" {
		dir, err := os.MkdirTemp("", "embedded-mongo-*")
		if err != nil {
			return nil, fmt.Errorf("embedded server: %w", err)
		}
		s.dir, s.owned = dir, true
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(s.dir) + "/",
	})
	if err != nil {
		s.removeDir()
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		_ = f.Run(ctx)
	}()

	// MongoDBURI blocks until the listener is bound.
	uriReady := make(chan string, 1)
	go func() { uriReady <- f.MongoDBURI() }()
	select {
	case s.URI = <-uriReady:
	case <-time.After(30 * time.Second):
		s.Stop()
		return nil, errors.New("embedded server: listener not ready after 30s")
	}
	return s, nil
}

// Stop shuts the server down and removes its temporary directory.
func (s *Server) Stop() {
	s.cancel()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
	s.removeDir()
}

func (s *Server) removeDir() {
	if s.owned {
		_ = os.RemoveAll(s.dir)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
