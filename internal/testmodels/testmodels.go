// Package testmodels holds model types shared by the tests of several
// packages, so that one declaration stands behind the tests that must
// agree on it. It imports only the driver's bson and odm/schema, and only
// tests import it.
package testmodels
