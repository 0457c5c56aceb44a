package odm

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/structtag"
)

// TagKey is the struct tag key the library reads: `odm:"..."`.
const TagKey = "odm"

// indexClause is one index declaration in a field's tag: the part between
// semicolons, as in `index:idx_user_ts,priority:1`.
type indexClause struct {
	name     string // explicit index name; "" for MongoDB's default name
	keyType  KeyType
	sortSet  bool
	typeSet  bool
	priority *int
	unique   bool
	sparse   bool
	hidden   bool
	ttl      *time.Duration
	weight   *int32
	text     string // the clause as written, for messages
}

// fieldTag is what a field's odm tag declares: its part in indexes, the
// rules its value must follow in a generated validator, and whether it is
// the model's revision.
type fieldTag struct {
	indexes  []indexClause
	rules    fieldRules
	revision bool
	search   []searchClause // vector and vectorFilter clauses (search.go)
}

// fieldRules constrain a field's value in a generated $jsonSchema.
type fieldRules struct {
	required bool
	enum     []string
	pattern  string
	minimum  *float64
	maximum  *float64
}

func (r fieldRules) empty() bool {
	return !r.required && r.enum == nil && r.pattern == "" && r.minimum == nil && r.maximum == nil
}

// parseTag reads the odm value of a struct tag. The tag as a whole must be
// well formed (structtag's rules); an absent odm key declares nothing.
func parseTag(tag string) (fieldTag, []string) {
	if tag == "" {
		return fieldTag{}, nil
	}
	tags, err := structtag.Parse(tag)
	if err != nil {
		if !strings.Contains(tag, TagKey+":") {
			return fieldTag{}, nil // not ours; the bson codec judges the rest
		}
		return fieldTag{}, []string{fmt.Sprintf("malformed struct tag: %v", err)}
	}
	t, err := tags.Get(TagKey)
	if err != nil {
		return fieldTag{}, nil
	}
	return parseTagValue(t.Value())
}

// parseTagValue parses `clause;clause...`. It returns what the clauses
// declare and every problem found; a clause with a problem is left out.
func parseTagValue(value string) (fieldTag, []string) {
	var ft fieldTag
	var problems []string
	for _, raw := range strings.Split(value, ";") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		var errs []string
		head, arg, _ := strings.Cut(raw, ":")
		switch head {
		case "required", "enum", "pattern", "min", "max":
			errs = parseRule(&ft.rules, head, arg, raw)
		case "revision":
			if raw != "revision" {
				errs = []string{"revision takes no value"}
			}
			ft.revision = true
		case "vector", "vectorFilter":
			var c searchClause
			if c, errs = parseSearchClause(head, arg, raw); len(errs) == 0 {
				ft.search = append(ft.search, c)
			}
		default:
			var c indexClause
			c, errs = parseClause(raw)
			if len(errs) == 0 {
				ft.indexes = append(ft.indexes, c)
			}
		}
		for _, e := range errs {
			problems = append(problems, fmt.Sprintf("%q: %s", raw, e))
		}
	}
	return ft, problems
}

// parseRule reads a validation clause. A pattern runs to the end of its
// clause, commas included.
func parseRule(r *fieldRules, head, arg, raw string) []string {
	switch head {
	case "required":
		if raw != "required" {
			return []string{"required takes no value"}
		}
		r.required = true
	case "enum":
		if arg == "" {
			return []string{"enum needs values separated by |, as in enum:open|closed"}
		}
		r.enum = strings.Split(arg, "|")
	case "pattern":
		if arg == "" {
			return []string{"pattern needs a regular expression"}
		}
		r.pattern = arg
	case "min", "max":
		n, err := strconv.ParseFloat(arg, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return []string{fmt.Sprintf("%s needs a number, not %q", head, arg)}
		}
		if head == "min" {
			r.minimum = &n
		} else {
			r.maximum = &n
		}
	}
	return nil
}

func parseClause(raw string) (indexClause, []string) {
	c := indexClause{keyType: Ascending, text: raw}
	var errs []string
	parts := strings.Split(raw, ",")
	head, name, hasName := strings.Cut(strings.TrimSpace(parts[0]), ":")
	switch head {
	case "index":
	case "uniqueIndex":
		c.unique = true
	default:
		return c, []string{fmt.Sprintf("unknown clause %q (want index, uniqueIndex, required, enum, pattern, min, max, revision, vector or vectorFilter)", head)}
	}
	if hasName {
		c.name = strings.TrimSpace(name)
		if c.name == "" {
			errs = append(errs, "empty index name after ':'")
		}
	}
	for _, p := range parts[1:] {
		opt, val, hasVal := strings.Cut(strings.TrimSpace(p), ":")
		noValue := func() {
			if hasVal {
				errs = append(errs, fmt.Sprintf("option %s takes no value", opt))
			}
		}
		switch opt {
		case "unique":
			noValue()
			c.unique = true
		case "sparse":
			noValue()
			c.sparse = true
		case "hidden":
			noValue()
			c.hidden = true
		case "sort":
			c.sortSet = true
			switch val {
			case "asc":
				c.keyType = Ascending
			case "desc":
				c.keyType = Descending
			default:
				errs = append(errs, fmt.Sprintf("sort must be asc or desc, not %q", val))
			}
		case "type":
			c.typeSet = true
			switch kt := KeyType(val); kt {
			case Text, Geo2DSphere, Geo2D, Hashed:
				c.keyType = kt
			default:
				errs = append(errs, fmt.Sprintf("type must be text, 2dsphere, 2d or hashed, not %q", val))
			}
		case "priority":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Sprintf("priority must be a non-negative whole number, not %q", val))
				continue
			}
			c.priority = &n
		case "ttl":
			d, err := ParseTTL(val)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			c.ttl = &d
		case "weight":
			n, err := strconv.ParseInt(val, 10, 32)
			if err != nil || n < 1 || n > 99999 {
				errs = append(errs, fmt.Sprintf("weight must be a whole number from 1 to 99999, not %q", val))
				continue
			}
			w := int32(n)
			c.weight = &w
		case "":
			errs = append(errs, "empty option")
		default:
			errs = append(errs, fmt.Sprintf("unknown option %q", opt))
		}
	}
	if c.sortSet && c.typeSet {
		errs = append(errs, "sort and type exclude each other: a key has either a direction or a type")
	}
	if c.weight != nil && c.keyType != Text {
		errs = append(errs, "weight applies to text keys only (add type:text)")
	}
	return c, errs
}

// ParseTTL reads a TTL as the tag grammar writes it: a whole number of
// seconds ("3600", "0") or a Go duration that is a whole number of seconds
// ("1h", "168h", "90s").
func ParseTTL(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > math.MaxInt32 {
			return 0, fmt.Errorf("ttl must be from 0 to %d seconds, not %q", math.MaxInt32, s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("ttl must be whole seconds or a duration such as 168h, not %q", s)
	}
	if err := checkTTL(d); err != nil {
		return 0, fmt.Errorf("ttl %q: %v", s, err)
	}
	return d, nil
}

// checkTTL holds a TTL to what expireAfterSeconds can say.
func checkTTL(d time.Duration) error {
	switch {
	case d < 0:
		return fmt.Errorf("a TTL cannot be negative (%v)", d)
	case d%time.Second != 0:
		return fmt.Errorf("a TTL must be a whole number of seconds (%v)", d)
	case d/time.Second > math.MaxInt32:
		return fmt.Errorf("a TTL cannot exceed %d seconds (%v)", math.MaxInt32, d)
	}
	return nil
}
