package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/registry"
)

func TestAPIServesAfterInit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := appdb.Open(ctx)
	require.NoError(t, err)
	defer conn.Close()
	db := conn.Client.Database("api_test")
	defer db.Drop(context.Background())

	_, err = odm.Init(ctx, db, registry.All(), conn.SkipUnsupported())
	require.NoError(t, err)

	srv := httptest.NewServer(newHandler(db))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/executions", "application/json", strings.NewReader(`{"script":"print(1)","lang":"python"}`))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var created map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	resp.Body.Close()

	resp, err = http.Get(srv.URL + "/executions/" + created["execution_id"])
	require.NoError(t, err)
	var got map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	resp.Body.Close()
	assert.Equal(t, "queued", got["status"])

	resp, err = http.Get(srv.URL + "/executions/nope")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
