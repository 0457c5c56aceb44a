package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/examples/embedded"
)

// readmeProgram is the first ```go block of the repository's README.md.
func readmeProgram(t *testing.T) string {
	t.Helper()
	text, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(text), "\n```go\n")
	require.True(t, ok, "README.md holds no ```go block")
	block, _, ok := strings.Cut(rest, "\n```\n")
	require.True(t, ok, "README.md's first ```go block is not closed")
	return block + "\n"
}

// TestReadmeShowsThisProgram holds README.md's first program to this
// file, byte for byte, so that the program a reader copies is the one
// that compiles and runs here.
func TestReadmeShowsThisProgram(t *testing.T) {
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	block := readmeProgram(t)
	if block != string(src) {
		blockLines, srcLines := strings.Split(block, "\n"), strings.Split(string(src), "\n")
		for i := 0; i < len(blockLines) && i < len(srcLines); i++ {
			if blockLines[i] != srcLines[i] {
				t.Fatalf("README.md's first Go block and examples/readme/main.go differ first at line %d of the program:\nREADME:  %q\nmain.go: %q", i+1, blockLines[i], srcLines[i])
			}
		}
		t.Fatalf("README.md's first Go block has %d lines, examples/readme/main.go %d", len(blockLines), len(srcLines))
	}
}

// TestReadmeProgramRuns runs the program twice against MONGODB_URI, or the
// embedded server when it is unset: the first run creates the indexes and
// stores the book, the second finds the indexes in place and the book
// refused by the unique index, and both read the book back.
func TestReadmeProgramRuns(t *testing.T) {
	uri := os.Getenv("MONGODB_URI")
	if uri == "" {
		srv, err := embedded.Start(embedded.Options{})
		require.NoError(t, err)
		t.Cleanup(srv.Stop)
		uri = srv.URI
		t.Setenv("MONGODB_URI", uri)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database("bookshelf")
	require.NoError(t, db.Drop(ctx))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })

	first, firstLog := runMain(t)
	assert.Regexp(t, `1 collections: 2 created, 0 existed`, first)
	assert.Empty(t, firstLog, "the first run logs nothing")
	assert.Regexp(t, `found 978-0134190440 by Donovan \(2015\), _id [0-9a-f]{24}\n$`, first)

	second, secondLog := runMain(t)
	assert.Regexp(t, `1 collections: 0 created, 2 existed`, second)
	assert.Contains(t, secondLog, "duplicate key", "the second run's insert is refused by the unique index")
	assert.Regexp(t, `found 978-0134190440 by Donovan \(2015\), _id [0-9a-f]{24}\n$`, second)
}

// runMain runs main with its standard output and log captured.
func runMain(t *testing.T) (stdout, logged string) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	saved := os.Stdout
	os.Stdout = w
	var logBuf bytes.Buffer
	log.SetOutput(&logBuf)
	defer func() {
		os.Stdout = saved
		log.SetOutput(os.Stderr)
	}()
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	main()
	require.NoError(t, w.Close())
	out := <-done
	t.Logf("run:\n%s%s", out, logBuf.String())
	return out, logBuf.String()
}
