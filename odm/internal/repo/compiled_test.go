package repo

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The compiled decoder is built for the registry the collection decodes
// with, which the driver does not export: a driver that keeps it elsewhere
// fails here rather than leaving every repository on the slower path, or
// on the wrong registry, unnoticed.
func TestTheCollectionsRegistryIsFound(t *testing.T) {
	clientReg, modelReg := bson.NewRegistry(), bson.NewRegistry()
	// Connecting does not reach the server: nothing here sends a command.
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1").SetRegistry(clientReg))
	require.NoError(t, err)
	defer func() { _ = client.Disconnect(context.Background()) }()
	db := client.Database("d")
	require.Same(t, clientReg, collectionRegistry(db.Collection("c")), "the client's registry")
	require.Same(t, modelReg, collectionRegistry(db.Collection("c", options.Collection().SetRegistry(modelReg))), "the collection's own")
	require.Nil(t, collectionRegistry(nil))
}
