package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/tagodm/tagodm/odm/outcome"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// LeaseCollection is the collection, in the database Init works on, that
// holds one short-lived document per collection while a process drops or
// rebuilds indexes in it. Init creates documents there only for
// destructive steps and removes each when done; it keeps no history.
const LeaseCollection = "odm_locks"

// leaseTTL is how long a lease lasts without renewal: a process that dies
// holding one delays the others by at most this much.
const leaseTTL = 30 * time.Second

// A lease lets one process at a time run destructive steps on a
// collection, each from a listing read while holding it, so that
// processes with different declarations take turns and every turn ends in
// one declared set. Expiry is checked in code: some servers lack TTL
// indexes.
type lease struct {
	coll  *mongo.Collection
	name  string
	owner string
	stop  chan struct{}
	done  chan struct{}
	// cancel ends a renewal in flight, so that release does not wait on
	// a server that does not answer.
	cancel context.CancelFunc
}

// acquireLease waits until it holds the collection's lease or ctx ends. A
// lease past its expiry is taken over.
func acquireLease(ctx context.Context, db *mongo.Database, name string, log func(context.Context, slog.Level, string, ...slog.Attr)) (*lease, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	l := &lease{coll: db.Collection(LeaseCollection), name: name, owner: hex.EncodeToString(b)}
	wait := 5 * time.Millisecond
	for {
		_, err := l.coll.InsertOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "owner", Value: l.owner},
			{Key: "expires", Value: time.Now().Add(leaseTTL)}})
		if err == nil {
			log(ctx, slog.LevelDebug, "odm: lease taken")
			l.stop, l.done = make(chan struct{}), make(chan struct{})
			rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			l.cancel = cancel
			go l.renew(rctx)
			return l, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, &outcome.IndexError{Collection: name, Op: "lease", Err: err}
		}
		var held struct {
			Owner   string    `bson:"owner"`
			Expires time.Time `bson:"expires"`
		}
		err = l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&held)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // released meanwhile
		case err != nil:
			return nil, &outcome.IndexError{Collection: name, Op: "lease", Err: err}
		case time.Now().After(held.Expires):
			// Removed only as read: a holder that renewed meanwhile keeps
			// it. When nothing was removed, wait as for a live lease.
			log(ctx, slog.LevelWarn, "odm: taking over an expired lease", slog.String("owner", held.Owner))
			res, err := l.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "expires", Value: held.Expires}})
			if err != nil {
				return nil, &outcome.IndexError{Collection: name, Op: "lease", Err: err}
			}
			if res.DeletedCount > 0 {
				continue
			}
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, &outcome.IndexError{Collection: name, Op: "lease", Err: ctx.Err()}
		}
		wait = min(wait*2, 100*time.Millisecond)
	}
}

// renew pushes the expiry forward while the lease is held.
func (l *lease) renew(rctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(leaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(rctx, leaseTTL/3)
			_, _ = l.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: l.name}, {Key: "owner", Value: l.owner}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: time.Now().Add(leaseTTL)}}}})
			cancel()
		}
	}
}

// release gives the lease up, even when ctx has ended.
func (l *lease) release(ctx context.Context) {
	close(l.stop)
	l.cancel()
	<-l.done
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = l.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: l.name}, {Key: "owner", Value: l.owner}})
}
