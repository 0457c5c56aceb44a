package schema

import (
	"fmt"
	"slices"
)

// checkShape checks a model's collection-level declarations.
func checkShape(c *CollectionShape, fieldExists func(string) bool) []string {
	var msgs []string
	add := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	if v := c.Validator; v != nil {
		if !slices.Contains([]string{LevelOff, LevelModerate, LevelStrict}, v.Level) {
			add("validation level must be off, moderate or strict, not %q", v.Level)
		}
		if !slices.Contains([]string{ActionWarn, ActionError}, v.Action) {
			add("validation action must be warn or error, not %q", v.Action)
		}
	}
	o := c.Options
	if o == nil {
		return msgs
	}
	if ts := o.TimeSeries; ts != nil {
		if ts.TimeField == "" {
			add("a time series collection needs a time field")
		} else if !fieldExists(ts.TimeField) {
			add("time field %s names no field of the struct", ts.TimeField)
		}
		if ts.MetaField != "" && !fieldExists(ts.MetaField) {
			add("meta field %s names no field of the struct", ts.MetaField)
		}
		if ts.Granularity != "" && !slices.Contains([]string{"seconds", "minutes", "hours"}, ts.Granularity) {
			add("granularity must be seconds, minutes or hours, not %q", ts.Granularity)
		}
		if ts.ExpireAfter != nil {
			if err := checkTTL(*ts.ExpireAfter); err != nil {
				add("time series expiry: %v", err)
			}
		}
		if o.Capped != nil || o.ClusteredIndex {
			add("a time series collection cannot be capped or clustered")
		}
	}
	if cp := o.Capped; cp != nil {
		if cp.Size <= 0 {
			add("a capped collection needs a size in bytes above 0")
		}
		if cp.Max < 0 {
			add("a capped collection's max cannot be negative")
		}
		if o.ClusteredIndex {
			add("a clustered collection cannot be capped")
		}
	}
	if o.Collation != nil && o.Collation.Locale == "" {
		add("a collation needs a locale")
	}
	return msgs
}
