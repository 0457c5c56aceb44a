// Package shardkey renders shard key documents as messages and mongosh
// show them. Both the public shard package (its errors' messages) and
// the sharding machinery (the plan's and report's key columns) render
// keys, and must render them alike; it is an implementation detail.
//
// It imports the BSON package only.
package shardkey

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Format renders a key for messages: {a: 1, b: "hashed"}, with
// "(unique)" when it is.
func Format(k bson.D, unique bool) string {
	s := Doc(k)
	if unique {
		s += " (unique)"
	}
	return s
}

// Doc renders a key document as mongosh takes it.
func Doc(k bson.D) string {
	parts := make([]string, len(k))
	for i, e := range k {
		name := e.Key
		if strings.ContainsAny(name, ".$ -") {
			name = fmt.Sprintf("%q", name)
		}
		v := "1"
		if Value(e.Value) == "hashed" {
			v = `"hashed"`
		} else if Value(e.Value) == "-1" {
			v = "-1"
		}
		parts[i] = name + ": " + v
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Value is a key field's value as "1", "-1" or "hashed", whatever number
// type the server answered with.
func Value(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int32:
		return fmt.Sprint(v)
	case int64:
		return fmt.Sprint(v)
	case float64:
		return fmt.Sprint(int64(v))
	case int:
		return fmt.Sprint(v)
	}
	return fmt.Sprint(v)
}
