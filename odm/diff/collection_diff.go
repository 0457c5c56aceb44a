package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// OptionChange is what one collection option calls for.
type OptionChange struct {
	// Option is the option's name as listCollections shows it, or
	// "collection" for a collection that does not exist yet, or "view"
	// for a declared view's definition (its source and pipeline).
	Option string `json:"option"`
	// Action is Create (the collection does not exist), Unchanged,
	// ModifyInPlace (collMod changes it) or Conflict (it cannot change on
	// an existing collection).
	Action   Action `json:"action"`
	Declared string `json:"declared,omitempty"`
	Listed   string `json:"listed,omitempty"`
	// Step is what applying the plan does about the change, decided once
	// by the planner under the plan's policies; empty from DiffCollection,
	// which knows no policy, and for a change that calls for no step.
	Step Step `json:"-"`
}

// Summary is the change on one line, for reports and errors.
func (c OptionChange) Summary() string {
	show := func(s string) string {
		if s == "" {
			return "absent"
		}
		return s
	}
	if c.Action == Create && c.Option == "view" {
		return "view created " + c.Declared
	}
	if c.Action == Create {
		return "collection created with its options"
	}
	return fmt.Sprintf("%s: declared %s, listed %s", c.Option, show(c.Declared), show(c.Listed))
}

// Options collMod can change on an existing collection.
var modifiableOptions = map[string]bool{
	"validator": true, "validationLevel": true, "validationAction": true,
	"changeStreamPreAndPostImages": true, "expireAfterSeconds": true,
	"timeseries.granularity": true, "size": true, "max": true,
}

// DiffCollection compares a declared shape with the options
// listCollections returned for the collection (nil when it does not
// exist). Only changed options come back; none when all match. Values
// compare as typed canonical values (numbers by value, a string never
// equal to a number or a bool); a collation compares only the fields the
// declaration sets.
func DiffCollection(declared *schema.CollectionShape, listed bson.Raw, exists bool) []OptionChange {
	if !exists {
		return []OptionChange{{Option: "collection", Action: Create}}
	}
	wantDoc, gotDoc := declared.Document(), docFromRaw(listed)
	want, got := flattenOptions(wantDoc), flattenOptions(gotDoc)
	// Defaults the server applies when an option is left out.
	if _, ok := got["validator"]; ok {
		setDefault(got, "validationLevel", strconv.Quote(schema.LevelStrict))
		setDefault(got, "validationAction", strconv.Quote(schema.ActionError))
	}
	if _, ok := got["timeseries.timeField"]; ok {
		setDefault(got, "timeseries.granularity", `"seconds"`)
		setDefault(want, "timeseries.granularity", `"seconds"`)
	}
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []OptionChange
	for _, k := range names {
		w, g := want[k], got[k]
		if k == "collation" && collationCovers(optionCollation(wantDoc), optionCollation(gotDoc)) || w == g {
			continue
		}
		action := Conflict
		if modifiableOptions[k] {
			action = ModifyInPlace
		}
		out = append(out, OptionChange{Option: k, Action: action, Declared: display(w, g), Listed: display(g, w)})
	}
	return out
}

// optionCollation is the collation of an options document, as fields.
func optionCollation(d bson.D) map[string]string {
	for _, e := range d {
		if e.Key != "collation" {
			continue
		}
		raw, err := bson.Marshal(bson.D{e})
		if err != nil {
			return nil
		}
		if doc, ok := bson.Raw(raw).Lookup(e.Key).DocumentOK(); ok {
			return collationFields(doc)
		}
	}
	return nil
}

// Listed options that never make two collections differ.
var ignoredCollectionOptions = map[string]bool{
	"timeseries.bucketMaxSpanSeconds": true, "timeseries.bucketRoundingSeconds": true,
	"clusteredIndex.v": true, "clusteredIndex.name": true, "storageEngine": true,
	"indexOptionDefaults": true, "encryptedFields": true,
	// flags: the usePowerOf2Sizes flag of the retired MMAPv1 engine.
	"flags": true,
}

// flattenOptions renders an options document as option -> typed
// canonical value; time series and clustered index options one level
// down, and the validator with its documents' keys and its required and
// bsonType lists sorted, since their order does not matter to MongoDB.
func flattenOptions(d bson.D) map[string]string {
	out := map[string]string{}
	for _, e := range d {
		raw, err := bson.Marshal(bson.D{e})
		if err != nil {
			continue
		}
		v := bson.Raw(raw).Lookup(e.Key)
		switch e.Key {
		case "timeseries", "clusteredIndex":
			doc, ok := v.DocumentOK()
			if !ok {
				out[e.Key] = canonical(v)
				continue
			}
			elems, _ := doc.Elements()
			for _, sub := range elems {
				k := e.Key + "." + sub.Key()
				if !ignoredCollectionOptions[k] {
					out[k] = canonical(sub.Value())
				}
			}
		case "validator":
			out[e.Key] = sortedCanonical(v)
		case "collation":
			if doc, ok := v.DocumentOK(); !ok {
				out[e.Key] = canonical(v)
			} else if c := collationFields(doc); c != nil {
				out[e.Key] = renderSorted(c)
			}
		case "changeStreamPreAndPostImages":
			if doc, ok := v.DocumentOK(); ok && truthy(doc.Lookup("enabled")) {
				out[e.Key] = "enabled"
			}
		case "capped":
			if truthy(v) {
				out[e.Key] = "true"
			}
		default:
			if !ignoredCollectionOptions[e.Key] {
				out[e.Key] = canonical(v)
			}
		}
	}
	return out
}

// sortedCanonical renders a value as canonical does, with document keys
// sorted and the lists of "required" and "bsonType" sorted; values keep
// their types at every depth.
func sortedCanonical(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		parts := make([]string, len(elems))
		for i, e := range elems {
			val := sortedCanonical(e.Value())
			if (e.Key() == "required" || e.Key() == "bsonType") && e.Value().Type == bson.TypeArray {
				vals, _ := e.Value().Array().Values()
				items := make([]string, len(vals))
				for j, x := range vals {
					items[j] = canonical(x)
				}
				sort.Strings(items)
				val = "[" + strings.Join(items, ",") + "]"
			}
			parts[i] = strconv.Quote(e.Key()) + ":" + val
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		parts := make([]string, len(vals))
		for i, x := range vals {
			parts[i] = sortedCanonical(x)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return canonical(v)
}

func docFromRaw(raw bson.Raw) bson.D {
	if raw == nil {
		return nil
	}
	var d bson.D
	_ = bson.Unmarshal(raw, &d)
	return d
}
