package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/registry"
)

func TestWorkerProcessesEachExecutionOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := appdb.Open(ctx)
	require.NoError(t, err)
	defer conn.Close()
	db := conn.Client.Database("worker_test")
	defer db.Drop(context.Background())
	_, err = odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)

	execs := db.Collection("executions")
	for _, id := range []string{"e1", "e2", "e3"} {
		_, err := execs.InsertOne(ctx, models.Execution{ExecutionID: id, Status: "queued", Lang: "python", Script: "x"})
		require.NoError(t, err)
	}
	// e3 was claimed by another worker already.
	_, err = db.Collection("idempotency_keys").InsertOne(ctx, models.IdempotencyKey{Key: "execution:e3"})
	require.NoError(t, err)

	n, err := drain(ctx, db)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	done, err := execs.CountDocuments(ctx, bson.D{{Key: "status", Value: "completed"}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), done)

	n, err = drain(ctx, db)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is processed twice")
}
