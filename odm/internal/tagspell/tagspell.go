// Package tagspell knows the words of the odm struct tag grammar and
// respells a misspelt clause, option or value as the nearest one a tag may
// hold, for the "did you mean ...?" of schema's problems. It only
// suggests: the grammar itself is parsed and judged in package schema.
package tagspell

import (
	"cmp"
	"strings"

	"github.com/tagodm/tagodm/internal/spell"
)

// The words of the tag grammar.
var (
	clauseWords  = []string{"index", "uniqueIndex", "required", "enum", "pattern", "min", "max", "revision", "discriminator", "shard", "vector", "vectorFilter"}
	optionWords  = []string{"unique", "sparse", "hidden", "sort", "type", "priority", "ttl", "weight"}
	optionValues = map[string][]string{"sort": {"asc", "desc"}, "type": {"text", "2dsphere", "2d", "hashed"}}
	vectorWords  = []string{"euclidean", "cosine", "dotProduct", "none", "scalar", "binary"}
)

// Value is the value of option (sort or type) nearest val, or "".
func Value(option, val string) string { return spell.Nearest(val, optionValues[option]...) }

// Clause is an unknown clause with every word near a known one respelt:
// its head a clause name, or an option written without its index
// (ttl=24h for index,ttl:24h); "" when the head is near nothing. A rule's
// arguments are its own and stay as written.
func Clause(raw string) string {
	parts := strings.Split(raw, ",")
	k, v, hasVal := cutWord(parts[0])
	head := spell.Nearest(k, clauseWords...)
	if head == "" {
		if head = Option(k, v, hasVal); head == "" {
			return ""
		}
		head, hasVal = "index,"+head, false
	}
	if hasVal {
		head += ":" + v
	}
	isIndex := head == "index" || head == "uniqueIndex" || strings.HasPrefix(head, "index,")
	for _, p := range parts[1:] {
		if o := Option(cutWord(p)); o != "" && isIndex {
			p = o
		}
		head += "," + strings.TrimSpace(p)
	}
	return head
}

// Option is the index option nearest opt (with its value, respelt when
// the option has a fixed set), a direction or a key type written without
// its option (desc for sort:desc), or "".
func Option(opt, val string, hasVal bool) string {
	if !hasVal {
		opt, val, hasVal = cutWord(opt) // ttl=24h for ttl:24h
	}
	n := spell.Nearest(opt, optionWords...)
	if n != "" && hasVal {
		return n + ":" + cmp.Or(Value(n, val), val)
	} else if n != "" || hasVal {
		return n
	}
	for _, o := range []string{"sort", "type"} {
		if v := Value(o, opt); v != "" {
			return o + ":" + v
		}
	}
	return ""
}

// Vector is the option of a vector clause nearest the one written (a
// similarity, a quantization, or name:NAME), or "".
func Vector(written string) string {
	if opt, val, hasVal := cutWord(written); hasVal {
		if spell.Nearest(opt, "name") == "" {
			return ""
		}
		return "name:" + val
	}
	return spell.Nearest(written, vectorWords...)
}

// Shard is the shard clause nearest raw (shard:hashed), or "".
func Shard(raw string) string {
	_, v, _ := cutWord(raw)
	if spell.Nearest(v, "hashed") == "" {
		return ""
	}
	return "shard:hashed"
}

// cutWord cuts a tag word at its ':' or at a mistaken '=', whichever
// comes first.
func cutWord(w string) (before, after string, found bool) {
	if i := strings.IndexAny(w, ":="); i >= 0 {
		return strings.TrimSpace(w[:i]), strings.TrimSpace(w[i+1:]), true
	}
	return strings.TrimSpace(w), "", false
}
