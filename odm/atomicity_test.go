package odm_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// TestFilteredWriteRaces measures, on the server at hand, what the
// revision guard relies on: that a filtered write applies its filter and
// its write as one step. Two races:
//
//   - 4 writers each complete 200 read-modify-replace cycles on one
//     counter through the revision guard (ReplaceByID), retrying after a
//     StaleRevisionError. Every acknowledged write added one, so the
//     counter must end at the number of acknowledged writes; the
//     difference is the updates lost.
//   - 2 workers race to claim each of 200 documents with a conditional
//     update ({_id, owner: ""} -> owner), both sent at the same moment
//     for each document. Each document must be claimed exactly once.
//
// The server's profile (odm.AtomicFilteredWrites) is set from these
// figures, not from the server's name: where it says atomic, nothing may
// be lost and nothing claimed twice; where it says not, the races must
// show a loss or a double claim.
func TestFilteredWriteRaces(t *testing.T) {
	if testing.Short() {
		t.Skip("races 1,000 writes; skipped with -short")
	}
	db := testrig.Database(t, nil)
	ctx := context.Background()
	atomic, err := odm.AtomicFilteredWrites(ctx, db.Client())
	require.NoError(t, err)

	const writers, cycles = 4, 200
	race, final := raceCounter(t, ctx, db, writers, cycles)
	acks, stales := sum(race.acknowledged), sum(race.stale)
	lost := acks - final.N

	claims := db.Collection("claims")
	const docs = 200
	seedDocs := make([]any, docs)
	for i := range seedDocs {
		seedDocs[i] = bson.D{{Key: "_id", Value: int32(i)}, {Key: "owner", Value: ""}}
	}
	_, err = claims.InsertMany(ctx, seedDocs)
	require.NoError(t, err)
	once, twice := 0, 0
	for i := range docs {
		var claimed [2]bool
		var claimErrs [2]error
		start := make(chan struct{})
		var race sync.WaitGroup
		for w := range 2 {
			race.Add(1)
			go func() {
				defer race.Done()
				<-start
				res, err := claims.UpdateOne(ctx, bson.D{{Key: "_id", Value: int32(i)}, {Key: "owner", Value: ""}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: string(rune('a' + w))}}}})
				claimErrs[w] = err
				claimed[w] = err == nil && res.ModifiedCount == 1
			}()
		}
		close(start)
		race.Wait()
		require.NoError(t, errors.Join(claimErrs[:]...))
		switch {
		case claimed[0] && claimed[1]:
			twice++
		case claimed[0] || claimed[1]:
			once++
		}
	}
	unclaimed, err := claims.CountDocuments(ctx, bson.D{{Key: "owner", Value: ""}})
	require.NoError(t, err)

	t.Logf("%s: %d writers x %d guarded read-modify-replace cycles: %d acknowledged, %d stale, %d lost (counter at %d); "+
		"2 workers claiming %d documents: %d claimed once, %d claimed twice, %d unclaimed; the profile says atomic filtered writes: %v",
		testrig.Server(), writers, cycles, acks, stales, lost, final.N, docs, once, twice, unclaimed, atomic)
	assert.Equal(t, writers*cycles, acks, "every writer completed its cycles")
	assert.Zero(t, unclaimed, "every document was claimed")
	if atomic {
		assert.Zero(t, lost, "no acknowledged update lost")
		assert.Equal(t, int64(writers*cycles+1), final.Revision, "one revision an acknowledged write")
		assert.Zero(t, twice, "no document claimed twice")
		assert.Equal(t, docs, once)
	} else {
		assert.True(t, lost > 0 || twice > 0,
			"the profile says the server does not apply filtered writes atomically, yet the races lost nothing and claimed nothing twice: the profile is wrong for this server")
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// counterRace is what racing writers did to one revisioned counter.
type counterRace struct {
	acknowledged, stale []int // per writer
}

// raceCounter has writers each complete cycles read-modify-replace cycles
// (read, increment, ReplaceByID), retrying on a *StaleRevisionError, on
// one revisioned counter, and returns what they did and the counter's
// final value and revision.
func raceCounter(t *testing.T, ctx context.Context, db *mongo.Database, writers, cycles int) (counterRace, raceCounterDoc) {
	t.Helper()
	counters, err := odm.NewCollectionIn[raceCounterDoc](db, "counters")
	require.NoError(t, err)
	_, err = counters.InsertOne(ctx, &raceCounterDoc{ID: "c"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	r := counterRace{acknowledged: make([]int, writers), stale: make([]int, writers)}
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r.acknowledged[w] < cycles {
				c, err := counters.FindByID(ctx, "c")
				if err != nil {
					errs[w] = err
					return
				}
				c.N++
				_, err = counters.ReplaceByID(ctx, c)
				var se *odm.StaleRevisionError
				switch {
				case errors.As(err, &se):
					r.stale[w]++
				case err != nil:
					errs[w] = err
					return
				default:
					r.acknowledged[w]++
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	final, err := counters.FindByID(ctx, "c")
	require.NoError(t, err)
	return r, *final
}

// raceCounterDoc is the counter the racing writers share.
type raceCounterDoc struct {
	ID       string `bson:"_id"`
	N        int    `bson:"n"`
	Revision int64  `bson:"revision" odm:"revision"`
}
