package odm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

type oidDoc struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Name string        `bson:"name"`
}

type oidPtrDoc struct {
	ID   *bson.ObjectID `bson:"_id,omitempty"`
	Name string         `bson:"name"`
}

type anyIDDoc struct {
	ID   any    `bson:"_id,omitempty"`
	Name string `bson:"name"`
}

type stringIDDoc struct {
	ID   string `bson:"_id,omitempty"`
	Name string `bson:"name"`
}

type IDBase struct {
	ID bson.ObjectID `bson:"_id,omitempty"`
}

type embeddedIDDoc struct {
	*IDBase `bson:",inline"`
	Name    string `bson:"name"`
}

// writeBack inserts one and then many documents of T through the
// repository, and checks, for each, that the struct and the result both
// hold the _id stored for its name.
func writeBack[T any](t *testing.T, db *mongo.Database, newDoc func(name string) T, idOf func(*T) any) {
	t.Helper()
	ctx := context.Background()
	repo, err := odm.NewCollectionIn[T](db, "writeback")
	require.NoError(t, err)
	one := newDoc("one")
	res, err := repo.InsertOne(ctx, &one)
	require.NoError(t, err)
	many := []T{newDoc("two"), newDoc("three")}
	mres, err := repo.InsertMany(ctx, many)
	require.NoError(t, err)
	got := []any{idOf(&one), idOf(&many[0]), idOf(&many[1])}
	want := []any{res.InsertedID, mres.InsertedIDs[0], mres.InsertedIDs[1]}
	for i, name := range []string{"one", "two", "three"} {
		var stored bson.M
		require.NoError(t, repo.Driver().FindOne(ctx, bson.D{{Key: "name", Value: name}}).Decode(&stored))
		assert.Equal(t, stored["_id"], want[i], "%s: the result names the stored _id", name)
		assert.Equal(t, stored["_id"], got[i], "%s: the struct holds the stored _id", name)
	}
}

func TestInsertWritesBackGeneratedID(t *testing.T) {
	db := testrig.Database(t, nil)
	tests := []struct {
		name string
		run  func(t *testing.T, db *mongo.Database)
	}{
		{"bson.ObjectID", func(t *testing.T, db *mongo.Database) {
			writeBack(t, db, func(n string) oidDoc { return oidDoc{Name: n} }, func(d *oidDoc) any { return d.ID })
		}},
		{"*bson.ObjectID", func(t *testing.T, db *mongo.Database) {
			writeBack(t, db, func(n string) oidPtrDoc { return oidPtrDoc{Name: n} }, func(d *oidPtrDoc) any {
				if d.ID == nil {
					return nil
				}
				return *d.ID
			})
		}},
		{"any", func(t *testing.T, db *mongo.Database) {
			writeBack(t, db, func(n string) anyIDDoc { return anyIDDoc{Name: n} }, func(d *anyIDDoc) any { return d.ID })
		}},
		{"behind a nil embedded pointer", func(t *testing.T, db *mongo.Database) {
			writeBack(t, db, func(n string) embeddedIDDoc { return embeddedIDDoc{Name: n} }, func(d *embeddedIDDoc) any {
				if d.IDBase == nil {
					return nil
				}
				return d.IDBase.ID
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, db.Collection("writeback").Drop(context.Background()))
			tt.run(t, db)
		})
	}
}

func TestInsertKeepsIDsItCannotOrNeedNotWrite(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()

	given := bson.NewObjectID()
	doc := &oidDoc{ID: given, Name: "given"}
	_, err := odm.MustCollectionIn[oidDoc](db, "given").InsertOne(ctx, doc)
	require.NoError(t, err)
	assert.Equal(t, given, doc.ID, "an _id the caller set is kept")

	// A string _id cannot hold the ObjectID the driver generates: the
	// document is stored with one, and the struct is left as it was.
	s := &stringIDDoc{Name: "s"}
	res, err := odm.MustCollectionIn[stringIDDoc](db, "strings").InsertOne(ctx, s)
	require.NoError(t, err)
	assert.IsType(t, bson.ObjectID{}, res.InsertedID)
	assert.Empty(t, s.ID)
}

// TestInsertManyWritesBackStoredIDsOnly: an unordered InsertMany where one
// document collides gives ids to the stored documents only.
func TestInsertManyWritesBackStoredIDsOnly(t *testing.T) {
	members, _, ctx := repoFixture(t)
	_, err := members.InsertOne(ctx, &member{Email: "taken@x"})
	require.NoError(t, err)
	docs := []member{{Email: "a@x"}, {Email: "taken@x"}, {Email: "b@x"}}
	_, err = members.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var dup *odm.DuplicateKeyError
	require.ErrorAs(t, err, &dup)
	assert.False(t, docs[0].ID.IsZero())
	assert.True(t, docs[1].ID.IsZero(), "the refused document gets no id")
	assert.False(t, docs[2].ID.IsZero())
	for _, d := range []member{docs[0], docs[2]} {
		got, err := members.FindByID(ctx, d.ID)
		require.NoError(t, err)
		assert.Equal(t, d.Email, got.Email)
	}

	ordered := []member{{Email: "c@x"}, {Email: "taken@x"}, {Email: "d@x"}}
	_, err = members.InsertMany(ctx, ordered)
	require.ErrorAs(t, err, &dup)
	assert.False(t, ordered[0].ID.IsZero())
	assert.True(t, ordered[1].ID.IsZero())
	assert.True(t, ordered[2].ID.IsZero(), "an ordered insert stops at the first failure")
}

func TestByID(t *testing.T) {
	members, _, ctx := repoFixture(t)
	ada := &member{Email: "ada@x", Team: "core", Age: 36}
	_, err := members.InsertOne(ctx, ada)
	require.NoError(t, err)
	require.False(t, ada.ID.IsZero())

	for _, id := range []any{ada.ID, ada.ID.Hex()} {
		got, err := members.FindByID(ctx, id)
		require.NoError(t, err, "id %v", id)
		assert.Equal(t, *ada, *got)
	}
	none, err := members.FindByID(ctx, bson.NewObjectID())
	require.NoError(t, err, "nothing found is no error")
	assert.Nil(t, none)
	_, err = members.FindByID(ctx, "not-hex")
	assert.ErrorContains(t, err, `the id "not-hex" is not an ObjectID in hex`)
	_, err = members.FindByID(ctx, nil)
	assert.ErrorContains(t, err, "the id is nil")

	res, err := members.UpdateByID(ctx, ada.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 37}}}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.MatchedCount)

	ada.Team = "platform"
	res, err = members.ReplaceByID(ctx, ada)
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.MatchedCount)
	got, err := members.FindByID(ctx, ada.ID)
	require.NoError(t, err)
	assert.Equal(t, "platform", got.Team)
	assert.Equal(t, 36, got.Age, "the replacement is the whole document")

	_, err = members.ReplaceByID(ctx, &member{Email: "new@x"})
	assert.ErrorContains(t, err, "the document's _id is zero")
	_, err = members.ReplaceByID(ctx, nil)
	assert.ErrorContains(t, err, "the document is nil")

	del, err := members.DeleteByID(ctx, ada.ID.Hex())
	require.NoError(t, err)
	assert.Equal(t, int64(1), del.DeletedCount)
	none, err = members.FindByID(ctx, ada.ID)
	require.NoError(t, err)
	assert.Nil(t, none)
}

// TestCollectionIn: the same model in a tenant's collection and an
// archive, each reached by its own repository; Init with odm.In gives
// each the model's indexes, and a duplicate in one does not involve the
// other.
func TestCollectionIn(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	_, err := odm.Init(ctx, db, schema.In("t1_members", member{}), schema.In("t2_members", member{}))
	require.NoError(t, err)
	t1, err := odm.NewCollectionIn[member](db, "t1_members")
	require.NoError(t, err)
	t2 := odm.MustCollectionIn[member](db, "t2_members")
	assert.Equal(t, "t1_members", t1.Name())
	assert.Equal(t, "t2_members", t2.Name())

	_, err = t1.InsertOne(ctx, &member{Email: "ada@x", Team: "core"})
	require.NoError(t, err)
	_, err = t2.InsertOne(ctx, &member{Email: "ada@x", Team: "labs"})
	require.NoError(t, err, "each tenant has its own unique index")
	_, err = t1.InsertOne(ctx, &member{Email: "ada@x"})
	var dup *odm.DuplicateKeyError
	require.ErrorAs(t, err, &dup)
	assert.Equal(t, "t1_members", dup.Collection)

	got, err := t2.FindOne(ctx, bson.D{{Key: "email", Value: "ada@x"}})
	require.NoError(t, err)
	assert.Equal(t, "labs", got.Team)
	n, err := db.Collection("members").CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Zero(t, n, "the model's own collection is untouched")
}

// TestCollectionInRefusesWhatInRefuses: a repository on a named
// collection refuses exactly the names odm.In refuses, with the same
// problem, before any command.
func TestCollectionInRefusesWhatInRefuses(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	rec.Reset()
	for _, name := range []string{"", "a$b", "nul\x00", "system.users"} {
		_, inErr := schema.Describe(schema.In(name, member{}))
		require.Error(t, inErr, "odm.In(%q)", name)
		var want *schema.ValidationError
		require.ErrorAs(t, inErr, &want)

		_, err := odm.NewCollectionIn[member](db, name)
		var got *schema.ValidationError
		require.ErrorAs(t, err, &got, "NewCollectionIn(%q)", name)
		assert.Equal(t, want.Problems, got.Problems, "NewCollectionIn(%q)", name)
		assert.Contains(t, err.Error(), "odm_test.member")
		assert.Panics(t, func() { odm.MustCollectionIn[member](db, name) })
	}
	assert.Empty(t, rec.Commands(), "nothing reached the server")
}
