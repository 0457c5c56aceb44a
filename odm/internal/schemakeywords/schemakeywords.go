// Package schemakeywords finds the keywords of a $jsonSchema validator
// that a server's validator does not understand, so that the engine can
// refuse them before sending the validator to a server that would reject
// or ignore it. It is an implementation detail.
//
// It imports the BSON package only.
package schemakeywords

import (
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Unknown are the keywords of the $jsonSchema validator doc that are not
// among known, in the order they first appear; nil when there are none
// or doc is nil. Only keywords are checked, not the names of properties:
// the walk descends into properties, items and additionalItems.
func Unknown(doc any, known []string) []string {
	if doc == nil {
		return nil
	}
	raw, err := bson.Marshal(bson.D{{Key: "s", Value: doc}})
	if err != nil {
		return nil
	}
	var unknown []string
	var walk func(v bson.RawValue)
	walk = func(v bson.RawValue) {
		doc, ok := v.DocumentOK()
		if !ok {
			return
		}
		elems, _ := doc.Elements()
		for _, e := range elems {
			k, val := e.Key(), e.Value()
			if !slices.Contains(known, k) {
				if !slices.Contains(unknown, k) {
					unknown = append(unknown, k)
				}
				continue
			}
			switch k {
			case "properties":
				props, _ := val.Document().Elements()
				for _, prop := range props {
					walk(prop.Value())
				}
			case "items", "additionalItems":
				if arr, ok := val.ArrayOK(); ok {
					vals, _ := arr.Values()
					for _, x := range vals {
						walk(x)
					}
				} else {
					walk(val)
				}
			}
		}
	}
	walk(bson.Raw(raw).Lookup("s"))
	return unknown
}
