// Command initproc is a stand-in for one process of a service at start-up,
// for tests that start several at once: it connects to its first argument
// (a URI), waits for a line on standard input so that all processes begin
// together, runs odm.Init with the reference models on the database named
// by its second argument, and exits 0 on success.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	_ "github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/registry"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: initproc URI DATABASE")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(os.Args[1]))
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
	report, err := odm.Init(ctx, client.Database(os.Args[2]), registry.All(), odm.SkipUnsupported(), odm.WithRetries(8, 20*time.Millisecond))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("created %d, existed %d, skipped %d\n", report.Count(odm.Created), report.Count(odm.Existed), report.Count(odm.Skipped))
}
