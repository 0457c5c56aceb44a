// Command odmctl shows the plan/apply command a service embeds: it plans or
// applies the reference models' indexes on MONGODB_URI (or on an embedded
// server of its own when unset, which starts empty).
//
//	go run ./cmd/odmctl plan                  # exit 0 nothing pending; 2 pending; 3 blocked; 1 error
//	go run ./cmd/odmctl -db reference apply --skip-unsupported
//	go run ./cmd/odmctl plan --json           # "status": "clean", "pending" or "blocked"
//
// It gives cli.Run the options of its own Init (a logger for Init's
// warnings); the command's flags add to them.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	_ "github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/cli"
	"github.com/tagodm/tagodm/registry"
)

func main() {
	dbName := flag.String("db", "reference", "database name")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: odmctl [-db NAME] plan|apply [flags]\n")
		_ = cli.Run(context.Background(), []string{"help"}, nil, nil, os.Stderr, os.Stderr)
	}
	flag.Parse()
	os.Exit(run(*dbName, flag.Args()))
}

func run(dbName string, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	conn, err := appdb.Open(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return cli.ExitError
	}
	defer conn.Close()
	// Init's warnings (retries, conflicts kept) go to stderr beside the
	// command's own messages.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return cli.Run(ctx, args, conn.Client.Database(dbName), registry.All(), os.Stdout, os.Stderr, odm.Logger(logger))
}
