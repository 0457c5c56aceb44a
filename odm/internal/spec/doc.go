// Package spec holds the plain types declarations are made of and problems
// are reported in: Problem and ValidationError, collection options and
// validators, the UUID revision value. They carry no checking of their
// own: the schema layer describes models with them and validates.
//
// It may use bson and the driver's option types; nothing of the library's
// other layers, and never the driver's client.
package spec
