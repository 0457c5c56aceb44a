// Package jsonschema generates the $jsonSchema of a model's struct: the
// BSON types the driver writes for each field, nested objects and array
// items, null where the driver may write it, and the rules the model's
// tags and Validator method declare.
//
// What the driver writes for a Go type is not decided here: the caller
// passes its table (Types), the one its key-type checks read too, so that
// a validator never refuses what the driver writes. The model's own codec
// registry, when it declares one, is read first (codecprobe).
package jsonschema
