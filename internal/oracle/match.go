package oracle

import (
	"fmt"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Match reports whether doc matches filter, as MongoDB reads the query
// operators it knows: $and, $or, $nor, and on a field $eq, $ne, $gt,
// $gte, $lt, $lte, $in, $nin, $exists, $type, $size, $all, $elemMatch,
// $not and $regex. Any other operator is an error, so that a test never
// compares against a reading the oracle does not have.
func Match(doc, filter bson.Raw) (bool, error) {
	elems, err := filter.Elements()
	if err != nil {
		return false, err
	}
	for _, e := range elems {
		ok, err := matchElement(doc, e.Key(), e.Value())
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func matchElement(doc bson.Raw, key string, v bson.RawValue) (bool, error) {
	switch key {
	case "$and", "$or", "$nor":
		items, err := bson.Raw(v.Value).Values()
		if err != nil || v.Type != bson.TypeArray || len(items) == 0 {
			return false, fmt.Errorf("%s needs a non-empty array", key)
		}
		any := false
		for _, it := range items {
			ok, err := Match(doc, it.Document())
			if err != nil {
				return false, err
			}
			if key == "$and" && !ok {
				return false, nil
			}
			any = any || ok
		}
		switch key {
		case "$and":
			return true, nil
		case "$or":
			return any, nil
		}
		return !any, nil
	}
	if strings.HasPrefix(key, "$") {
		return false, fmt.Errorf("the oracle does not read the top-level operator %s", key)
	}
	vals, found := Values(doc, key)
	if isOperators(v) {
		ops, _ := bson.Raw(v.Value).Elements()
		for _, op := range ops {
			ok, err := matchOperator(vals, found, op.Key(), op.Value())
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	if v.Type == bson.TypeRegex {
		return regex(vals, v)
	}
	return equals(vals, found, v), nil
}

func isOperators(v bson.RawValue) bool {
	if v.Type != bson.TypeEmbeddedDocument {
		return false
	}
	e, err := bson.Raw(v.Value).IndexErr(0)
	return err == nil && strings.HasPrefix(e.Key(), "$")
}

// expand is the values a condition on a field tests: each value reached,
// and the elements of each array reached.
func expand(vals []bson.RawValue) []bson.RawValue {
	out := make([]bson.RawValue, 0, len(vals))
	for _, v := range vals {
		out = append(out, v)
		if v.Type == bson.TypeArray {
			items, _ := bson.Raw(v.Value).Values()
			out = append(out, items...)
		}
	}
	return out
}

// equals is $eq: null matches a missing field or a null (also inside an
// array); any other value matches a value reached, or an element.
func equals(vals []bson.RawValue, found bool, want bson.RawValue) bool {
	if want.Type == bson.TypeNull {
		if !found {
			return true
		}
		for _, v := range vals {
			if v.Type == bson.TypeNull || v.Type == bson.TypeUndefined {
				return true
			}
		}
		for _, v := range expand(vals) {
			if v.Type == bson.TypeNull {
				return true
			}
		}
		return false
	}
	for _, v := range expand(vals) {
		if Bracket(v.Type) == Bracket(want.Type) && Equal(v, want) {
			return true
		}
	}
	return false
}

func matchOperator(vals []bson.RawValue, found bool, op string, arg bson.RawValue) (bool, error) {
	switch op {
	case "$eq":
		return equals(vals, found, arg), nil
	case "$ne":
		return !equals(vals, found, arg), nil
	case "$gt", "$gte", "$lt", "$lte":
		return compares(vals, found, op, arg), nil
	case "$in", "$nin":
		return in(vals, found, op, arg)
	case "$exists":
		return found == truthy(arg), nil
	case "$size":
		return size(vals, arg)
	case "$all":
		return all(vals, found, arg)
	case "$elemMatch":
		return elemMatch(vals, arg)
	case "$not":
		return not(vals, found, arg)
	case "$regex":
		return regex(vals, arg)
	case "$type":
		return hasType(vals, arg), nil
	}
	return false, fmt.Errorf("the oracle does not read the operator %s", op)
}

// compares is $gt, $gte, $lt and $lte: a value reached, or an element, of
// the operand's bracket that compares so; $gte and $lte of null are $eq.
func compares(vals []bson.RawValue, found bool, op string, arg bson.RawValue) bool {
	if arg.Type == bson.TypeNull && (op == "$gte" || op == "$lte") {
		return equals(vals, found, arg)
	}
	for _, v := range expand(vals) {
		if Bracket(v.Type) != Bracket(arg.Type) {
			continue // comparisons do not cross types
		}
		c := Compare(v, arg)
		if op == "$gt" && c > 0 || op == "$gte" && c >= 0 || op == "$lt" && c < 0 || op == "$lte" && c <= 0 {
			return true
		}
	}
	return false
}

// in is $in and $nin: an equality (a regular expression: a match) with
// any of the list.
func in(vals []bson.RawValue, found bool, op string, arg bson.RawValue) (bool, error) {
	items, err := bson.Raw(arg.Value).Values()
	if err != nil || arg.Type != bson.TypeArray {
		return false, fmt.Errorf("%s needs an array", op)
	}
	any := false
	for _, it := range items {
		var ok bool
		if it.Type == bson.TypeRegex {
			ok, _ = regex(vals, it)
		} else {
			ok = equals(vals, found, it)
		}
		if ok {
			any = true
			break
		}
	}
	return any == (op == "$in"), nil
}

// size is $size: an array reached of exactly that many elements.
func size(vals []bson.RawValue, arg bson.RawValue) (bool, error) {
	n, ok := intOf(arg)
	if !ok {
		if arg.Type != bson.TypeDouble || arg.Double() != float64(int64(arg.Double())) {
			return false, fmt.Errorf("$size needs a whole number")
		}
		n = int64(arg.Double())
	}
	for _, v := range vals {
		if v.Type == bson.TypeArray {
			items, _ := bson.Raw(v.Value).Values()
			if int64(len(items)) == n {
				return true, nil
			}
		}
	}
	return false, nil
}

// all is $all: an equality with each of the list; an empty list matches
// nothing.
func all(vals []bson.RawValue, found bool, arg bson.RawValue) (bool, error) {
	items, err := bson.Raw(arg.Value).Values()
	if err != nil || arg.Type != bson.TypeArray {
		return false, fmt.Errorf("$all needs an array")
	}
	if len(items) == 0 {
		return false, nil
	}
	for _, it := range items {
		if !equals(vals, found, it) {
			return false, nil
		}
	}
	return true, nil
}

// elemMatch is $elemMatch: one element of an array reached meets every
// condition.
func elemMatch(vals []bson.RawValue, arg bson.RawValue) (bool, error) {
	if arg.Type != bson.TypeEmbeddedDocument {
		return false, fmt.Errorf("$elemMatch needs a document")
	}
	for _, v := range vals {
		if v.Type != bson.TypeArray {
			continue
		}
		items, _ := bson.Raw(v.Value).Values()
		for _, it := range items {
			ok, err := elemMatches(it, arg)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

// not is $not: the negation of a regular expression or of an operator
// document's conditions together.
func not(vals []bson.RawValue, found bool, arg bson.RawValue) (bool, error) {
	if arg.Type == bson.TypeRegex {
		ok, err := regex(vals, arg)
		return !ok, err
	}
	ops, _ := bson.Raw(arg.Value).Elements()
	for _, o := range ops {
		ok, err := matchOperator(vals, found, o.Key(), o.Value())
		if err != nil {
			return false, err
		}
		if !ok {
			return true, nil
		}
	}
	return false, nil
}

// regex is $regex: a string reached, or an element, that matches.
func regex(vals []bson.RawValue, arg bson.RawValue) (bool, error) {
	pattern, options := "", ""
	if arg.Type == bson.TypeString {
		pattern = arg.StringValue()
	} else {
		pattern, options = arg.Regex()
	}
	re, err := regexp.Compile(goPattern(pattern, options))
	if err != nil {
		return false, fmt.Errorf("the oracle cannot read the pattern %q: %v", pattern, err)
	}
	for _, v := range expand(vals) {
		if v.Type == bson.TypeString && re.MatchString(v.StringValue()) {
			return true, nil
		}
	}
	return false, nil
}

// hasType is $type: a value reached, or an element, of one of the types.
func hasType(vals []bson.RawValue, arg bson.RawValue) bool {
	want := map[int32]bool{}
	if arg.Type == bson.TypeArray {
		items, _ := bson.Raw(arg.Value).Values()
		for _, it := range items {
			n, _ := intOf(it)
			want[int32(n)] = true
		}
	} else {
		n, _ := intOf(arg)
		want[int32(n)] = true
	}
	for _, v := range expand(vals) {
		if want[int32(v.Type)] {
			return true
		}
	}
	return false
}

// elemMatches is an $elemMatch's conditions on one element: operators
// apply to the element itself, field conditions to its fields.
func elemMatches(elem bson.RawValue, cond bson.RawValue) (bool, error) {
	if isOperators(cond) {
		ops, _ := bson.Raw(cond.Value).Elements()
		for _, o := range ops {
			ok, err := matchOperator([]bson.RawValue{elem}, true, o.Key(), o.Value())
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	if elem.Type != bson.TypeEmbeddedDocument {
		return false, nil
	}
	return Match(elem.Document(), cond.Document())
}

func truthy(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeBoolean:
		return v.Boolean()
	case bson.TypeNull, bson.TypeUndefined:
		return false
	}
	if n, ok := intOf(v); ok {
		return n != 0
	}
	if v.Type == bson.TypeDouble {
		return v.Double() != 0
	}
	return true
}

// goPattern is a MongoDB pattern and its options as a Go regexp: the
// patterns the tests write mean the same in PCRE and in Go's syntax.
func goPattern(pattern, options string) string {
	flags := ""
	for _, o := range options {
		if strings.ContainsRune("ims", o) {
			flags += string(o)
		}
	}
	if flags == "" {
		return pattern
	}
	return "(?" + flags + ")" + pattern
}
