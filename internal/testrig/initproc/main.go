// Command initproc is a stand-in for one process of a service at start-up,
// for tests that start several at once: it connects to a URI, waits for a
// line on standard input so that all processes begin together, runs
// odm.Init on a database, and exits 0 on success, 3 on a *ConflictError,
// 1 on any other error.
//
//	initproc [-models reference|old|new|slim] [-policy fail|rebuild|keep] [-drop] URI DATABASE
//
// The reference models are the service's own; old, new and slim are
// versions of one "items" collection (package items), for rolling-deploy
// tests.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig/items"
	_ "github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/registry"
)

// Models returns the models a -models value names.
func Models(name string) (any, bool) {
	switch name {
	case "reference":
		return registry.All(), true
	}
	m, ok := items.Versions[name]
	return m, ok
}

func main() {
	modelsName := flag.String("models", "reference", "reference, old, new or slim")
	policy := flag.String("policy", "fail", "conflict policy: fail, rebuild or keep")
	drop := flag.Bool("drop", false, "DropUndeclared")
	flag.Parse()
	models, ok := Models(*modelsName)
	if flag.NArg() != 2 || !ok {
		fmt.Fprintln(os.Stderr, "usage: initproc [-models reference|old|new|slim] [-policy fail|rebuild|keep] [-drop] URI DATABASE")
		os.Exit(2)
	}
	args := []any{models, odm.SkipUnsupported(), odm.Retries(8, 20*time.Millisecond), odm.OnConflict(outcome.ConflictPolicy(*policy))}
	if *drop {
		args = append(args, odm.DropUndeclared())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(flag.Arg(0)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer client.Disconnect(context.Background())
	if err := client.Ping(ctx, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "no start signal:", err)
		os.Exit(1)
	}
	report, err := odm.Init(ctx, client.Database(flag.Arg(1)), args...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		client.Disconnect(context.Background())
		var ce *outcome.ConflictError
		if errors.As(err, &ce) {
			os.Exit(3)
		}
		os.Exit(1)
	}
	fmt.Printf("created %d, existed %d, rebuilt %d, dropped %d, skipped %d\n", report.Count(outcome.Created),
		report.Count(outcome.Existed), report.Count(outcome.Rebuilt), report.Count(outcome.Dropped), report.Count(outcome.Skipped))
}
