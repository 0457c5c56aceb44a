// Package codec compiles, once per model type, a BSON decoder specialised
// to the struct's fields: a plan of its keys and, for each field, a decoder
// for its Go type that writes through the field's offset, with no
// per-document reflection.
//
// It decodes exactly as the driver's reflective codecs do with the same
// registry: bson tags, inline structs and maps, the lower-cased key
// fallback, pointers reused and maps merged, every conversion the driver
// allows and refuses. What it does not compile (a type with its own
// codec, an interface, an unusual kind) falls back to the driver for that
// one value; Fallbacks lists them. Its errors read as the driver's; into
// a fresh value they are the driver's own (see Codec.Decode).
package codec
