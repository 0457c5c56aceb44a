package odm

// Defaulter is a model that gives a new document its defaults: the values
// another reader of the collection fills in for a missing field (Beanie's
// field defaults, say), set in Go so that the stored document carries them.
// SetDefaults is called on a pointer to the document before every write of
// a whole document: InsertOne, InsertMany, ReplaceOne, ReplaceByID,
// FindOneAndReplace, and the insert of an upsert (UpdateOne,
// FindOneAndUpdate and UpdateByID with upsert add the defaults under
// $setOnInsert, for the fields the filter and the update leave alone).
//
// SetDefaults should set only fields that are still zero, so that what the
// caller set is kept. A field whose zero value is meaningful and differs
// from its default (a bool that defaults to true) is best a pointer.
//
// A panic in SetDefaults (on the empty document of an upsert, say) does
// not take the process down: the write recovers it and returns an error,
// naming the write and the collection, that wraps a *PanicError (GoType
// the model's type, Func "SetDefaults", the panic's value and stack), and
// sends nothing; InsertMany sends none of its documents. What SetDefaults
// set before it panicked stays in the document.
type Defaulter interface {
	SetDefaults()
}
