package schema

import (
	"errors"
	"fmt"
	"math"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/structtag"

	"github.com/tagodm/tagodm/internal/spell"
	"github.com/tagodm/tagodm/odm/internal/jsonschema"
	"github.com/tagodm/tagodm/odm/internal/tagspell"
)

// indexClause is one index declaration in a field's tag: the part between
// semicolons, as in `index:idx_user_ts,priority:1`.
type indexClause struct {
	Name     string // explicit index name; "" for MongoDB's default name
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
	Indexes  []indexClause
	rules    jsonschema.FieldRules
	revision bool
	// discriminator: the field tells a polymorphic collection's variants
	// apart (variant.go).
	discriminator bool
	Search        []searchClause // vector and vectorFilter clauses (search.go)
	shard         KeyType        // Ascending for shard, Hashed for shard:hashed
}

// parseTag reads the odm value of a struct tag. The tag as a whole must be
// well formed (structtag's rules); an absent odm key declares nothing.
func parseTag(tag string) (fieldTag, []string) {
	if strings.TrimSpace(tag) == "" {
		return fieldTag{}, nil
	}
	tags, err := structtag.Parse(tag)
	if err != nil {
		if !strings.Contains(tag, TagKey+":") {
			return fieldTag{}, nil // not ours; the bson codec judges the rest
		}
		return fieldTag{}, []string{fmt.Sprintf("malformed struct tag: %v", err)}
	}
	if tags == nil {
		return fieldTag{}, nil
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
	given := map[string]bool{} // validation clauses seen, each allowed once
	for _, raw := range strings.Split(value, ";") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		var errs []string
		head, arg, _ := strings.Cut(raw, ":")
		switch head {
		case "required", "enum", "pattern", "min", "max", "revision", "shard", "discriminator":
			if given[head] {
				problems = append(problems, fmt.Sprintf("%q: %s is given twice in one tag", raw, head))
				continue
			}
			given[head] = true
		}
		switch head {
		case "required", "enum", "pattern", "min", "max":
			errs = parseRule(&ft.rules, head, arg, raw)
		case "revision":
			if raw != "revision" {
				errs = []string{"revision takes no value"}
			}
			ft.revision = true
		case "discriminator":
			if raw != "discriminator" {
				errs = []string{"discriminator takes no value (each variant gives its value by its Variant method)"}
			}
			ft.discriminator = true
		case "shard", "shard=hashed": // shard is a ranged key, shard:hashed a hashed one
			if ft.shard = map[string]KeyType{"shard": KeyAscending, "shard:hashed": KeyHashed}[raw]; ft.shard == "" {
				errs = []string{"shard takes no value (a ranged key) or hashed, as in shard:hashed" + spell.Hint("", tagspell.Shard(raw))}
			}
		case "vector", "vectorFilter":
			var c searchClause
			if c, errs = parseSearchClause(head, arg, raw); len(errs) == 0 {
				ft.Search = append(ft.Search, c)
			}
		default:
			var c indexClause
			c, errs = parseClause(raw)
			if len(errs) == 0 {
				ft.Indexes = append(ft.Indexes, c)
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
func parseRule(r *jsonschema.FieldRules, head, arg, raw string) []string {
	switch head {
	case "required":
		if raw != "required" {
			return []string{"required takes no value"}
		}
		r.Required = true
	case "enum":
		if arg == "" {
			return []string{"enum needs values separated by |, as in enum:open|closed"}
		}
		r.Enum = strings.Split(arg, "|")
	case "pattern":
		if arg == "" {
			return []string{"pattern needs a regular expression"}
		}
		if msg := checkPattern(arg); msg != "" {
			return []string{msg}
		}
		r.Pattern = arg
	case "min", "max":
		n, err := strconv.ParseFloat(arg, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return []string{fmt.Sprintf("%s needs a number, not %q", head, arg)}
		}
		if head == "min" {
			r.Minimum = &n
		} else {
			r.Maximum = &n
		}
	}
	return nil
}

func parseClause(raw string) (indexClause, []string) {
	c := indexClause{keyType: KeyAscending, text: raw}
	var errs []string
	parts := strings.Split(raw, ",")
	head, name, hasName := strings.Cut(strings.TrimSpace(parts[0]), ":")
	switch head {
	case "index":
	case "uniqueIndex":
		c.unique = true
	default:
		return c, []string{fmt.Sprintf("unknown clause %q (want index, uniqueIndex, required, enum, pattern, min, max, revision, discriminator, shard, vector or vectorFilter)", head) + spell.Hint("", tagspell.Clause(raw))}
	}
	if hasName {
		c.Name = strings.TrimSpace(name)
		if c.Name == "" {
			errs = append(errs, "empty index name after ':'")
		}
	}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		opt, val, hasVal := strings.Cut(strings.TrimSpace(p), ":")
		if opt != "" && seen[opt] {
			errs = append(errs, fmt.Sprintf("option %s is given twice in one clause", opt))
			continue
		}
		seen[opt] = true
		if msg := c.option(opt, val, hasVal); msg != "" {
			errs = append(errs, msg)
		}
	}
	if c.sortSet && c.typeSet {
		errs = append(errs, "sort and type exclude each other: a key has either a direction or a type")
	}
	if c.weight != nil && c.keyType != KeyText {
		errs = append(errs, "weight applies to text keys only (add type:text)")
	}
	return c, errs
}

// option applies one option of an index clause; it returns the problem,
// or "".
func (c *indexClause) option(opt, val string, hasVal bool) string {
	switch opt {
	case "unique", "sparse", "hidden":
		if hasVal {
			return fmt.Sprintf("option %s takes no value", opt)
		}
		c.unique = c.unique || opt == "unique"
		c.sparse = c.sparse || opt == "sparse"
		c.hidden = c.hidden || opt == "hidden"
	case "sort":
		c.sortSet = true
		switch val {
		case "asc":
			c.keyType = KeyAscending
		case "desc":
			c.keyType = KeyDescending
		default:
			return fmt.Sprintf("sort must be asc or desc, not %q", val) + spell.Hint("sort:", tagspell.Value("sort", val))
		}
	case "type":
		c.typeSet = true
		switch kt := KeyType(val); kt {
		case KeyText, KeyGeo2DSphere, KeyGeo2D, KeyHashed:
			c.keyType = kt
		default:
			return fmt.Sprintf("type must be text, 2dsphere, 2d or hashed, not %q", val) + spell.Hint("type:", tagspell.Value("type", val))
		}
	case "priority":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return fmt.Sprintf("priority must be a non-negative whole number, not %q", val)
		}
		c.priority = &n
	case "ttl":
		d, err := ParseTTL(val)
		if err != nil {
			return err.Error()
		}
		c.ttl = &d
	case "weight":
		n, err := strconv.ParseInt(val, 10, 32)
		if err != nil || n < 1 || n > 99999 {
			return fmt.Sprintf("weight must be a whole number from 1 to 99999, not %q", val)
		}
		w := int32(n)
		c.weight = &w
	case "":
		return "empty option"
	default:
		return fmt.Sprintf("unknown option %q", opt) + spell.Hint("", tagspell.Option(opt, val, hasVal))
	}
	return ""
}

// checkPattern refuses a pattern no regular-expression dialect accepts:
// an unclosed bracket or parenthesis, a stray one, a repetition of nothing,
// a trailing backslash, a reversed range. MongoDB evaluates patterns with
// PCRE, which accepts more than Go's RE2 (lookarounds, backreferences,
// possessive quantifiers), so RE2's other refusals are not errors here.
func checkPattern(p string) string {
	_, err := syntax.Parse(p, syntax.Perl)
	var serr *syntax.Error
	if !errors.As(err, &serr) {
		return ""
	}
	if serr.Code == syntax.ErrInvalidCharRange && !isReversedRange(serr.Expr) {
		return "" // a class name PCRE may know and RE2 does not, such as \p{Xan}
	}
	switch serr.Code {
	case syntax.ErrMissingBracket, syntax.ErrMissingParen, syntax.ErrUnexpectedParen,
		syntax.ErrMissingRepeatArgument, syntax.ErrTrailingBackslash, syntax.ErrInvalidCharRange:
		return fmt.Sprintf("pattern %q is not a valid regular expression: %s", p, serr.Code)
	}
	return ""
}

// isReversedRange reports a range like "z-a" of two plain characters.
func isReversedRange(expr string) bool {
	lo, hi, ok := strings.Cut(expr, "-")
	return ok && len([]rune(lo)) == 1 && len([]rune(hi)) == 1
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
