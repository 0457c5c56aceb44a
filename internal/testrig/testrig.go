// Package testrig gives integration tests a real MongoDB-wire server: the
// one MONGODB_URI names, or else the embedded FerretDB server, built from
// the examples module and started once per test binary on a free loopback
// port. Each test gets a fresh database, dropped when it ends.
package testrig

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var (
	uri    string
	client *mongo.Client
	ferret int // FerretDB's major version; 0 for MongoDB
	kind   string
)

var (
	startOnce sync.Once
	startErr  error
	stopFn    = func() {}
)

// Main runs the tests and stops the server if one was started. Call it
// from TestMain. The server starts on the first call that needs it, so
// unit tests and fuzzing alone start none.
func Main(m *testing.M) {
	code := m.Run()
	stopFn()
	os.Exit(code)
}

// ensure starts (or connects to) the server once.
func ensure() {
	startOnce.Do(func() {
		stopFn, startErr = start()
		if startErr != nil {
			stopFn = func() {}
			return
		}
		fmt.Printf("testrig: integration tests run against %s at %s\n", kind, redact(uri))
	})
	if startErr != nil {
		panic(fmt.Sprintf("testrig: no server: %v", startErr))
	}
}

func start() (func(), error) {
	stop := func() {}
	uri = os.Getenv("MONGODB_URI")
	if uri == "" {
		var err error
		uri, stop, err = startEmbedded()
		if err != nil {
			return nil, err
		}
	}
	var err error
	// No client-wide timeout: it adds maxTimeMS to every command, which
	// some servers refuse on some commands (FerretDB on distinct); tests
	// bound their calls with contexts instead.
	client, err = mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		stop()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		stop()
		return nil, fmt.Errorf("server at %s does not answer: %w", redact(uri), err)
	}
	ferret, kind = Recognise(info)
	return func() {
		_ = client.Disconnect(context.Background())
		stop()
	}, nil
}

// startEmbedded builds and starts examples/cmd/embedded-mongo.
func startEmbedded() (string, func(), error) {
	root, err := repoRoot()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "testrig-*")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "embedded-mongo")
	build := exec.Command(goTool(), "build", "-o", bin, "./cmd/embedded-mongo")
	build.Dir = filepath.Join(root, "examples")
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building the embedded server: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "EMBEDDED_MONGO_DIR="+filepath.Join(dir, "data"))
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		return "", nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func() {
		stdin.Close() // the server exits when its stdin closes
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(dir)
	}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u, ok := <-line:
		if !ok || !strings.HasPrefix(u, "mongodb://") {
			stop()
			return "", nil, fmt.Errorf("embedded server did not print its URI (got %q)", u)
		}
		return u, stop, nil
	case <-time.After(60 * time.Second):
		stop()
		return "", nil, fmt.Errorf("embedded server did not start within 60s")
	}
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// repoRoot walks up from the working directory to the directory holding
// examples/go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "examples", "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("examples/go.mod not found above the working directory")
		}
		dir = parent
	}
}

// URI is the server's connection string.
func URI() string { ensure(); return uri }

// Client is a client shared by the tests of the binary.
func Client() *mongo.Client { ensure(); return client }

// Recognise names the server from its buildInfo answer, with FerretDB's
// major version (0 for MongoDB): FerretDB v2 answers a "ferretdb"
// document, v1 a "ferretdbVersion" string.
func Recognise(info bson.Raw) (ferretMajor int, name string) {
	version, _ := info.Lookup("version").StringValueOK()
	if v2, ok := info.Lookup("ferretdb").DocumentOK(); ok {
		v, _ := v2.Lookup("version").StringValueOK()
		return 2, fmt.Sprintf("FerretDB %s (wire-compatible with MongoDB %s)", ferretVersion(v, "v2"), version)
	}
	if v1, ok := info.Lookup("ferretdbVersion").StringValueOK(); ok {
		return 1, fmt.Sprintf("FerretDB %s (wire-compatible with MongoDB %s)", ferretVersion(v1, "v1"), version)
	}
	return 0, "MongoDB " + version
}

// ferretVersion is the version FerretDB gives, or its major version when
// it gives none (a build without version information answers "unknown").
func ferretVersion(given, major string) string {
	if given == "" || given == "unknown" {
		return major
	}
	return given
}

// IsFerretDB reports that the server is FerretDB v1 (the embedded test
// server), which lacks TTL, partial, collation, hidden, text, 2dsphere and
// hashed indexes, collMod and validators, and ignores sparse. FerretDB v2
// has most of these; FerretDBVersion tells the two apart.
func IsFerretDB() bool { ensure(); return ferret == 1 }

// FerretDBVersion is FerretDB's major version, 0 for MongoDB.
func FerretDBVersion() int { ensure(); return ferret }

// Server describes the server, for skip messages.
func Server() string { ensure(); return kind }

var nameChars = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// Database returns a fresh, empty database on c (the shared client when c
// is nil), dropped when the test ends.
func Database(t testing.TB, c *mongo.Client) *mongo.Database {
	t.Helper()
	ensure()
	if c == nil {
		c = client
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	base := strings.ToLower(nameChars.ReplaceAllString(t.Name(), "_"))
	if len(base) > 40 {
		base = base[len(base)-40:]
	}
	name := "t_" + strings.Trim(base, "_") + "_" + hex.EncodeToString(b)
	db := c.Database(name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = client.Database(name).Drop(ctx)
	})
	return db
}

// Command is one command a client sent.
type Command struct {
	Name     string
	Database string
	Body     bson.Raw
}

// Recorder keeps the commands a monitored client sends.
type Recorder struct {
	mu   sync.Mutex
	cmds []Command
}

// Commands returns the commands recorded so far, of the given names (all
// when none given).
func (r *Recorder) Commands(names ...string) []Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Command
	for _, c := range r.cmds {
		if len(names) == 0 || contains(names, c.Name) {
			out = append(out, c)
		}
	}
	return out
}

// Count is the number of recorded commands of the given name.
func (r *Recorder) Count(name string) int { return len(r.Commands(name)) }

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.cmds = nil
	r.mu.Unlock()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MonitoredClient returns a new client to the server whose commands are
// recorded, disconnected when the test ends.
func MonitoredClient(t testing.TB) (*mongo.Client, *Recorder) {
	t.Helper()
	ensure()
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
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetMonitor(mon))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c, rec
}

// redact hides a password in a URI.
func redact(u string) string {
	return regexp.MustCompile(`://[^@/]*@`).ReplaceAllString(u, "://***@")
}

// HookedClient returns a new client to the server that calls hook before
// sending each command, disconnected when the test ends: a test makes
// another process's change at an exact moment, between two commands.
func HookedClient(t testing.TB, hook func(name string, cmd bson.Raw)) *mongo.Client {
	t.Helper()
	ensure()
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		hook(e.CommandName, e.Command)
	}}
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetMonitor(mon))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}
