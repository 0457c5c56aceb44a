// Package odmtest is what a service's tests need to test code that uses
// github.com/tagodm/tagodm against a real MongoDB-wire server:
//
//   - Connect: the server the tests of a binary share, the one MONGODB_URI
//     names or else an embedded FerretDB (SQLite backend) started in the
//     test process on first use, so that nothing has to be installed;
//   - Database: a fresh database per test, with the models' indexes
//     created by odm.Init, dropped when the test ends;
//   - Validate: fails the test when a model's declarations are wrong;
//   - RecordQueries: reports, when the test ends, the queries its
//     repositories ran that no declared index serves.
//
// A typical test:
//
//	func TestPlaceOrder(t *testing.T) {
//		db := odmtest.Database(t, Order{})
//		odmtest.RecordQueries(t, odmtest.FailUnserved)
//		orders := odm.MustCollection[Order](db)
//		...
//	}
//
// The package lives in its own Go module, so that a service importing the
// library does not pull FerretDB into its build; only its tests do.
//
// The embedded server is FerretDB v1, which lacks TTL, partial, collation,
// hidden, text, 2dsphere and hashed indexes and validators: Database lets
// odm.Init skip them (odm.SkipUnsupported) and logs each one, so the same
// tests run there and, with every declaration applied, on MongoDB.
//
// Everything a call sets up is released by the test's Cleanup; the server
// and its client are the only state the tests of a binary share. Call
// Main from TestMain to stop the embedded server when the tests end;
// without it, the server ends with the process and its data directory is
// removed by the next test binary that starts one.
package odmtest
