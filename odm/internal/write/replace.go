package write

import (
	"strings"

	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A Replacement is a whole document written as an update of the fields its
// struct owns, so that fields the struct does not know (written by another
// process, or by an older version of the struct) survive a replace:
// $set of every field the document holds but _id, and $unset of the fields
// the struct declares but the document leaves out (omitempty).
type Replacement struct {
	// Set are the fields to $set: every field the document holds but
	// _id.
	Set bson.D
	// Unset are the fields the struct owns that the document leaves out.
	Unset bson.D
	// ID is the document's _id as encoded; nil when it has none, or when
	// it is a zero ObjectID, which is never stored: the server gives an
	// inserted document one.
	ID *bson.RawValue
	// Whole is, for a model with an ",inline" map at its top level, the
	// whole document (_id included when set): such a model reads every
	// field of a stored document, so a replace writes every field it
	// holds and removes the others, a key deleted from the map included.
	Whole bson.D
}

// NewReplacement reads doc, a document as the repository encodes it, as
// a replacement for a model that owns the top-level fields owned; whole
// is set for a model with an ",inline" map at its top level.
func NewReplacement(doc bson.Raw, collection string, owned []string, whole bool) (Replacement, error) {
	elems, err := Elements(doc)
	if err != nil {
		return Replacement{}, err
	}
	var r Replacement
	r.Set = make(bson.D, 0, len(elems))
	present := make(map[string]bool, len(elems))
	for _, e := range elems {
		present[e.Key] = true
		if e.Key == "_id" {
			if v := e.Value.(bson.RawValue); !IsZeroObjectID(v) {
				r.ID = &v
			}
			continue
		}
		r.Set = append(r.Set, e)
	}
	if err := CheckTopLevelKeys(collection, r.Set); err != nil {
		return Replacement{}, err
	}
	for _, name := range owned {
		if !present[name] {
			r.Unset = append(r.Unset, bson.E{Key: name, Value: ""})
		}
	}
	if whole {
		r.Whole = make(bson.D, 0, len(elems))
		if r.ID != nil {
			r.Whole = append(r.Whole, bson.E{Key: "_id", Value: *r.ID})
		}
		r.Whole = append(r.Whole, r.Set...)
	}
	return r, nil
}

// Update writes the replacement over a matched document. A replacement
// with an _id sets it too: the server keeps a matched document's equal
// _id and refuses another (ImmutableField, 66), as it refuses a replace
// whose document's _id differs from the matched one's, so nothing is
// written; an upsert's insert gets it, and with a filter naming another
// _id the server refuses the insert, as it does a replace's.
//
// For a model with an ",inline" map it is the whole document, which the
// write sends as a replacement.
func (r Replacement) Update() bson.D {
	if r.Whole != nil {
		return r.Whole
	}
	set := r.Set
	if r.ID != nil {
		set = append(bson.D{{Key: "_id", Value: *r.ID}}, r.Set...)
	}
	u := bson.D{{Key: "$set", Value: set}}
	if len(r.Unset) > 0 {
		u = append(u, bson.E{Key: "$unset", Value: r.Unset})
	}
	return u
}

// Insert writes the replacement only when the upsert inserts: a matched
// document is left as it is.
func (r Replacement) Insert(filter any) bson.D {
	fields := r.Set
	if r.ID != nil && !querydoc.NamesID(filter) {
		fields = append(bson.D{{Key: "_id", Value: *r.ID}}, r.Set...)
	}
	return bson.D{{Key: "$setOnInsert", Value: fields}}
}

// Setters is a list of option setters, to pass options of one command on
// to another.
type Setters[O any] []func(*O) error

// List implements options.Lister.
func (s Setters[O]) List() []func(*O) error { return s }

// UpdateOneFrom is the update options a replace's options stand for.
func UpdateOneFrom(o options.ReplaceOptions, upsert bool) options.Lister[options.UpdateOneOptions] {
	return Setters[options.UpdateOneOptions]{func(u *options.UpdateOneOptions) error {
		u.BypassDocumentValidation, u.Collation, u.Comment, u.Hint, u.Let, u.Sort = o.BypassDocumentValidation, o.Collation, o.Comment, o.Hint, o.Let, o.Sort
		u.Upsert = boolPointer(upsert)
		return nil
	}}
}

// upsertOn and upsertOff are what an Upsert option points to: shared, as
// the driver only reads them, so that passing a replace's options on
// allocates no bool.
var upsertOn, upsertOff = true, false

// boolPointer points to b's value in upsertOn or upsertOff.
func boolPointer(b bool) *bool {
	if b {
		return &upsertOn
	}
	return &upsertOff
}

// FindOneAndUpdateFrom is the find-and-update options a find-and-replace's
// options stand for.
func FindOneAndUpdateFrom(o options.FindOneAndReplaceOptions, upsert bool) options.Lister[options.FindOneAndUpdateOptions] {
	return Setters[options.FindOneAndUpdateOptions]{func(u *options.FindOneAndUpdateOptions) error {
		u.BypassDocumentValidation, u.Collation, u.Comment, u.Hint, u.Let, u.Sort = o.BypassDocumentValidation, o.Collation, o.Comment, o.Hint, o.Let, o.Sort
		u.Projection, u.ReturnDocument = o.Projection, o.ReturnDocument
		u.Upsert = boolPointer(upsert)
		return nil
	}}
}

// IsReplacement reports a whole document to write as a replacement, not
// a document of update operators.
func IsReplacement(update bson.D) bool {
	return len(update) > 0 && !strings.HasPrefix(update[0].Key, "$")
}
