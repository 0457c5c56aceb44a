// Command api is an API process as the reference service starts one: at
// start-up it calls odm.Init with the shared models, then serves requests.
// Repositories only read and write; they never create indexes.
//
//	MONGODB_URI=mongodb://... go run ./startup/api -addr 127.0.0.1:8080
//
// Without MONGODB_URI it starts an embedded server of its own; to share one
// with the worker, run `go run ./cmd/embedded-mongo` and export the URI it
// prints.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, log); err != nil {
		log.Error("api stopped", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, log *slog.Logger) error {
	// Lifespan: the schema first, every start, in every process.
	conn, db, err := appdb.Start(ctx, "reference", log)
	if err != nil {
		return err
	}
	defer conn.Close()

	srv := &http.Server{Addr: addr, Handler: newHandler(db), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("serving", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler serves POST /executions and GET /executions/{id}. Its
// repository only reads and writes.
func newHandler(db *mongo.Database) http.Handler {
	executions := odm.MustCollection[models.Execution](db)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /executions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Script string `json:"script"`
			Lang   string `json:"lang"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		now := time.Now().UTC()
		e := models.Execution{
			ExecutionID: bson.NewObjectID().Hex(), Script: req.Script, Lang: req.Lang,
			Status: "queued", Priority: "normal", CreatedAt: now, UpdatedAt: now,
		}
		if _, err := executions.InsertOne(r.Context(), &e); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"execution_id": e.ExecutionID})
	})
	mux.HandleFunc("GET /executions/{id}", func(w http.ResponseWriter, r *http.Request) {
		e, err := executions.FindOne(r.Context(), bson.D{{Key: "execution_id", Value: r.PathValue("id")}})
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		case e == nil:
			http.NotFound(w, r)
		default:
			_ = json.NewEncoder(w).Encode(map[string]string{"execution_id": e.ExecutionID, "status": e.Status})
		}
	})
	return mux
}
