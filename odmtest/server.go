package odmtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/tagodm/tagodm/internal/testrig"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Server is the MongoDB-wire server the tests of a binary share.
type Server struct {
	// URI is the server's connection string.
	URI string
	// Client is connected to the server and shared by the tests of the
	// binary; Database's databases belong to it. Do not disconnect it.
	Client *mongo.Client
	// Embedded reports that the server is the embedded FerretDB this
	// package started, MONGODB_URI being unset.
	Embedded bool
	// Name describes the server, for messages: "MongoDB 8.0.4", or
	// "FerretDB v1.24.0 (wire-compatible with MongoDB 7.0.77)".
	Name string
	// FerretDB is FerretDB's major version (1 for the embedded server), 0
	// for MongoDB. FerretDB lacks some of MongoDB's index types and
	// options; see the package documentation.
	FerretDB int
}

// The shared server, started by the first Connect.
var (
	sharedOnce   sync.Once
	sharedServer *Server
	sharedErr    error
	sharedStop   = func() {}
)

// Connect returns the server the tests of the binary share: the one the
// MONGODB_URI environment variable names or, when it is unset, an embedded
// FerretDB (SQLite backend) started in the test process on the first call
// and kept until the process ends (or Main stops it). It fails the test
// when the server cannot be started or does not answer.
func Connect(t testing.TB) *Server {
	t.Helper()
	sharedOnce.Do(func() {
		sharedServer, sharedStop, sharedErr = start()
	})
	if sharedErr != nil {
		t.Fatalf("odmtest: no server: %v", sharedErr)
	}
	return sharedServer
}

// Main runs the tests, then stops the embedded server if one was started
// and removes its data, and exits with the tests' status. Call it from
// TestMain:
//
//	func TestMain(m *testing.M) { odmtest.Main(m) }
//
// It is optional: without it the server ends with the process, and the
// next test binary that starts one removes the data it left.
func Main(m *testing.M) {
	code := m.Run()
	sharedStop()
	os.Exit(code)
}

// start connects to MONGODB_URI, or starts the embedded server, and names
// the server from its buildInfo.
func start() (*Server, func(), error) {
	s := &Server{URI: os.Getenv("MONGODB_URI")}
	stopServer := func() {}
	if s.URI == "" {
		var err error
		s.URI, stopServer, err = startEmbedded()
		if err != nil {
			return nil, nil, err
		}
		s.Embedded = true
	}
	// No client-wide timeout: it adds maxTimeMS to every command, which
	// FerretDB refuses on some (distinct); calls bound themselves with
	// their contexts.
	client, err := mongo.Connect(options.Client().ApplyURI(s.URI))
	if err != nil {
		stopServer()
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		_ = client.Disconnect(context.Background())
		stopServer()
		return nil, nil, fmt.Errorf("the server at %s does not answer: %w", redact(s.URI), err)
	}
	s.Client = client
	s.FerretDB, s.Name = testrig.Recognise(info) // the library's own tests read servers the same way
	var once sync.Once
	return s, func() {
		once.Do(func() {
			_ = client.Disconnect(context.Background())
			stopServer()
		})
	}, nil
}

// redact hides a password in a URI.
func redact(u string) string {
	return regexp.MustCompile(`://[^@/]*@`).ReplaceAllString(u, "://***@")
}

// dataPrefix starts the names of the embedded server's data directories,
// followed by the owning process's id.
const dataPrefix = "odmtest-"

// startEmbedded starts FerretDB v1 with its SQLite backend in this
// process, on a free loopback port, its data in a temporary directory.
func startEmbedded() (string, func(), error) {
	removeStaleData()
	dir, err := os.MkdirTemp("", dataPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", nil, fmt.Errorf("embedded server: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(slog.DiscardHandler),
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(dir) + "/",
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("embedded server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	stop := func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		_ = os.RemoveAll(dir)
	}
	// MongoDBURI blocks until the listener is bound.
	ready := make(chan string, 1)
	go func() { ready <- f.MongoDBURI() }()
	select {
	case uri := <-ready:
		return uri, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, errors.New("embedded server: listener not ready after 30s")
	}
}

// removeStaleData removes the data directories of embedded servers whose
// process has ended without Main. Where a process cannot be probed
// (Windows), nothing is removed.
func removeStaleData() {
	entries, err := os.ReadDir(os.TempDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), dataPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if processEnded(pid) {
			_ = os.RemoveAll(filepath.Join(os.TempDir(), e.Name()))
		}
	}
}

// processEnded reports that no process has the id pid.
func processEnded(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH)
}
