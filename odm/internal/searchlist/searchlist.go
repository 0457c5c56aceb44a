// Package searchlist reads the documents $listSearchIndexes returns: the
// comparison (package diff) reads their definitions, the engine their
// status while it waits for builds. It is an implementation detail.
//
// It imports schema and the BSON package only.
package searchlist

import (
	"fmt"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Index is one document of $listSearchIndexes.
type Index struct {
	Name, Status, Message string
	Type                  schema.SearchIndexType
	Queryable             bool
	// Definition is the listed latestDefinition; nil when absent.
	Definition bson.Raw
}

// Parse reads the fields the comparison and the wait need. A listing
// without a type is a full-text index (servers before vector search list
// none).
func Parse(raw bson.Raw) (Index, error) {
	if err := raw.Validate(); err != nil {
		return Index{}, fmt.Errorf("a $listSearchIndexes document is malformed: %w", err)
	}
	var l Index
	var ok bool
	if l.Name, ok = raw.Lookup("name").StringValueOK(); !ok {
		return l, fmt.Errorf("a $listSearchIndexes document has no name: %s", raw)
	}
	typ, _ := raw.Lookup("type").StringValueOK()
	l.Type = schema.SearchIndexType(typ)
	if l.Type == "" {
		l.Type = schema.FullTextSearch
	}
	l.Status, _ = raw.Lookup("status").StringValueOK()
	l.Queryable, _ = raw.Lookup("queryable").BooleanOK()
	l.Definition, _ = raw.Lookup("latestDefinition").DocumentOK()
	l.Message = message(raw)
	return l, nil
}

// message is the server's message about the index: the top-level
// message, else the first a host gives for its main or staged index.
func message(raw bson.Raw) string {
	if m, ok := raw.Lookup("message").StringValueOK(); ok {
		return m
	}
	hosts, _ := raw.Lookup("statusDetail").ArrayOK()
	values, _ := hosts.Values()
	for _, h := range values {
		doc, _ := h.DocumentOK()
		for _, path := range [][]string{{"message"}, {"mainIndex", "message"}, {"stagedIndex", "message"}} {
			if m, ok := doc.Lookup(path...).StringValueOK(); ok && m != "" {
				return m
			}
		}
	}
	return ""
}
