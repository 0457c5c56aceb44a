// Package extjson renders the values of declarations for messages, plans
// and diffs: documents as compact relaxed extended JSON, strings quoted,
// anything else as fmt prints it. The declarations (schema), the
// comparison (diff) and the engine render the same documents, and must
// render them alike; it is an implementation detail.
//
// It imports the BSON package only.
package extjson
