// Command quickstart shows the library end to end with no set-up: it
// starts an embedded server (or uses MONGODB_URI), creates the reference
// service's 16 collections' indexes with odm.Init, prints the report,
// writes and reads a few documents, and removes its database.
//
//	go run ./quickstart          (from the examples directory; or: make run)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/registry"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	conn, err := appdb.Open(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	db := conn.Client.Database("odm_quickstart")
	defer func() { _ = db.Drop(context.Background()) }()

	opts := []any{registry.All()}
	if conn.Embedded {
		fmt.Fprintln(out, "Using the embedded server (set MONGODB_URI to use your own).")
		fmt.Fprintln(out, "It has no TTL, text or hashed indexes and no validators: their rows say skipped here; MongoDB creates them.")
	}
	if conn.Partial {
		// FerretDB lacks some features (the embedded v1: TTL and text
		// indexes; v2: the events validator's keywords): create the rest
		// and list what was skipped.
		opts = append(opts, odm.SkipUnsupported())
	}
	report, err := odm.Init(ctx, db, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	if err := report.WriteTable(out); err != nil {
		return err
	}

	again, err := odm.Init(ctx, db, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nInit again: %d created, %d existed.\n", again.Count(outcome.Created), again.Count(outcome.Existed))

	return useDocuments(ctx, out, db)
}

// useDocuments writes and reads users through a typed repository, and
// shows a unique index at work.
func useDocuments(ctx context.Context, out io.Writer, db *mongo.Database) error {
	users, err := odm.NewCollection[models.User](db)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, name := range []string{"ada", "grace"} {
		u := &models.User{UserID: "u-" + name, Username: name, Email: name + "@example.com", Role: "user", IsActive: models.Bool(true), CreatedAt: now, UpdatedAt: now}
		if _, err := users.InsertOne(ctx, u); err != nil {
			return err
		}
	}
	ada, err := users.FindOne(ctx, bson.D{{Key: "username", Value: "ada"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nRead back user %s <%s>.\n", ada.Username, ada.Email)

	_, err = users.InsertOne(ctx, &models.User{UserID: "u-ada2", Username: "ada", Email: "other@example.com"})
	var dup *odm.DuplicateKeyError
	if !errors.As(err, &dup) {
		return errors.Join(errors.New("the unique index on username did not refuse a second ada"), err)
	}
	fmt.Fprintln(out, "A second user named ada was refused by the unique index username_1.")
	return useSagas(ctx, out, db)
}

// useSagas shows ids written back, lookups by id and the revision guard:
// two readers of one saga, the second writer refused.
func useSagas(ctx context.Context, out io.Writer, db *mongo.Database) error {
	sagas, err := odm.NewCollection[models.Saga](db)
	if err != nil {
		return err
	}
	s := &models.Saga{SagaID: "saga-1", SagaName: "execution_saga", ExecutionID: "exec-1", State: "created", CreatedAt: time.Now().UTC()}
	if _, err := sagas.InsertOne(ctx, s); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nInserted saga %s with _id %s at revision %s.\n", s.SagaID, s.ID.Hex(), s.RevisionID)
	first, err := sagas.FindByID(ctx, s.ID)
	if err != nil {
		return err
	}
	second, err := sagas.FindByID(ctx, s.ID)
	if err != nil {
		return err
	}
	first.State = "running"
	if _, err := sagas.ReplaceByID(ctx, first); err != nil {
		return err
	}
	second.State = "cancelled"
	_, err = sagas.ReplaceByID(ctx, second)
	var stale *odm.StaleRevisionError
	if !errors.As(err, &stale) {
		return errors.Join(errors.New("the revision guard did not refuse a stale saga"), err)
	}
	fmt.Fprintln(out, "A second writer holding the saga's old revision was refused; the first write was kept.")
	return nil
}
