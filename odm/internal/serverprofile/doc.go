// Package serverprofile holds what the library knows of each kind of
// server it runs on (MongoDB, FerretDB v1, FerretDB v2 on DocumentDB):
// the options a server accepts without keeping, what its replies mean
// (a missing feature, a retry, duplicates, a refusal of the declaration),
// how it words a duplicate key or a validator's refusal of a write,
// whether its filtered writes are atomic, and what it does with a
// transaction. A server is recognised from its buildInfo answer; every
// fact of a profile is measured on the server, never assumed from its
// name.
//
// The index engine classifies its commands' replies with it; the
// repositories read their writes' refusals and ask about atomicity. It
// may use schema, servererr, schemakeywords and the driver.
package serverprofile
