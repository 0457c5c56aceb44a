package odm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
)

// transactionOutcome is what the server at hand did with one transaction,
// driven by the bare driver: whether each command was refused (with its
// code) and whether the write is visible afterwards.
type transactionOutcome struct {
	writeCode, endCode int32 // 0 when accepted
	visible            bool
}

func serverCode(err error) int32 {
	var se mongo.ServerError
	if errors.As(err, &se) {
		for _, c := range []int32{9, 20, 59, 112, 115, 238, 251, 263} {
			if se.HasErrorCode(int(c)) {
				return c
			}
		}
		return -1
	}
	if err != nil {
		return -2
	}
	return 0
}

func runTransaction(t *testing.T, coll *mongo.Collection, id int, commit bool) transactionOutcome {
	t.Helper()
	ctx := context.Background()
	sess, err := coll.Database().Client().StartSession()
	require.NoError(t, err)
	defer sess.EndSession(ctx)
	require.NoError(t, sess.StartTransaction())
	_, werr := coll.InsertOne(mongo.NewSessionContext(ctx, sess), bson.D{{Key: "_id", Value: id}})
	var eerr error
	if commit {
		eerr = sess.CommitTransaction(ctx)
	} else {
		eerr = sess.AbortTransaction(ctx)
	}
	n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	require.NoError(t, err)
	return transactionOutcome{writeCode: serverCode(werr), endCode: serverCode(eerr), visible: n == 1}
}

// TestTransactionsOnTheServer measures what the server does with a
// committed and an aborted transaction, as the README's servers table
// records it: MongoDB (a replica set or a sharded cluster) commits the
// one and discards the other; FerretDB v1 refuses a write in a
// transaction (FailedToParse) and commitTransaction; FerretDB
// v2.5 applies a transaction's writes as they are sent and then refuses
// commitTransaction (CommandNotFound), so an abort does not undo them.
func TestTransactionsOnTheServer(t *testing.T) {
	coll := testrig.Database(t, nil).Collection("tx")
	committed := runTransaction(t, coll, 1, true)
	aborted := runTransaction(t, coll, 2, false)
	t.Logf("%s: commit %+v, abort %+v", testrig.Server(), committed, aborted)
	info, err := coll.Database().Client().Database("admin").RunCommand(context.Background(), bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	require.NoError(t, err)
	profile := serverprofile.FromBuildInfo(info).Transactions
	switch testrig.FerretDBVersion() {
	case 0:
		assert.Equal(t, serverprofile.TransactionsCommit, profile)
		if committed.writeCode == 20 { // a standalone mongod: no transactions
			t.Skipf("%s is a standalone server, which refuses transactions (IllegalOperation)", testrig.Server())
		}
		assert.Equal(t, transactionOutcome{visible: true}, committed, "MongoDB commits")
		assert.Equal(t, transactionOutcome{}, aborted, "MongoDB discards an aborted transaction's writes")
	case 1:
		assert.Equal(t, serverprofile.TransactionsRefused, profile, "the profile says what was measured")
		// The write is refused (FailedToParse: unknown field
		// startTransaction), then commitTransaction (CommandNotFound).
		assert.Equal(t, transactionOutcome{writeCode: 9, endCode: 59}, committed, "FerretDB v1, as measured")
		assert.Equal(t, transactionOutcome{writeCode: 9}, aborted, "FerretDB v1, as measured")
	default:
		assert.Equal(t, serverprofile.TransactionsWithoutCommit, profile, "the profile says what was measured")
		assert.Equal(t, transactionOutcome{visible: true, endCode: 59}, committed, "FerretDB v2, as measured")
		assert.Equal(t, transactionOutcome{visible: true}, aborted, "FerretDB v2, as measured")
	}
}
