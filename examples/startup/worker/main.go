// Command worker is a worker process as the reference service starts one:
// like the API, it calls odm.Init with the shared models at start-up, then
// runs its loop: it takes queued executions, runs them, and records an
// idempotency key so that an execution is never processed twice.
//
//	MONGODB_URI=mongodb://... go run ./startup/worker
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
)

func main() {
	once := flag.Bool("once", false, "process what is queued, then exit")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *once, log); err != nil {
		log.Error("worker stopped", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, once bool, log *slog.Logger) error {
	conn, db, err := appdb.Start(ctx, "reference", log)
	if err != nil {
		return err
	}
	defer conn.Close()

	for {
		n, err := drain(ctx, db)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Info("processed executions", "count", n)
		}
		if once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// drain processes queued executions until none is left. Its repositories
// only read and write.
func drain(ctx context.Context, db *mongo.Database) (int, error) {
	executions := odm.MustCollection[models.Execution](db)
	keys := odm.MustCollection[models.IdempotencyKey](db)
	n := 0
	for {
		e, err := executions.FindOneAndUpdate(ctx,
			bson.D{{Key: "status", Value: "queued"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "running"}, {Key: "updated_at", Value: time.Now().UTC()}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After),
		)
		if err != nil {
			return n, err
		}
		if e == nil {
			return n, nil // nothing queued
		}
		// The unique index idx_idem_key_unique makes this claim exclusive.
		_, err = keys.InsertOne(ctx, &models.IdempotencyKey{
			Key: "execution:" + e.ExecutionID, Status: "completed", EventType: "execution_requested",
			EventID: e.ExecutionID, CreatedAt: time.Now().UTC(), TTLSeconds: 3600,
		})
		var dup *odm.DuplicateKeyError
		if errors.As(err, &dup) {
			continue // another worker has it
		}
		if err != nil {
			return n, err
		}
		stdout := fmt.Sprintf("ran %d bytes of %s", len(e.Script), e.Lang)
		_, err = executions.UpdateOne(ctx, bson.D{{Key: "execution_id", Value: e.ExecutionID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "completed"}, {Key: "stdout", Value: stdout}, {Key: "exit_code", Value: 0}}}})
		if err != nil {
			return n, err
		}
		n++
	}
}
