package schema

import (
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// CollectionOptions are options a collection is created with. A model
// declares them by implementing CollectionOptionsDeclarer; Init applies
// them when it creates the collection.
//
// A model that declares collection options or a validator declares the
// collection's whole shape: Init and Plan compare every option below with
// the existing collection, and an option it has that the model does not
// declare shows as a difference too.
type CollectionOptions struct {
	TimeSeries *TimeSeriesOptions
	// ClusteredIndex makes a clustered collection, clustered on _id.
	ClusteredIndex bool
	Capped         *CappedOptions
	// Collation is the collection's default collation.
	Collation *options.Collation
	// ChangeStreamPreAndPostImages records pre- and post-images for change
	// streams.
	ChangeStreamPreAndPostImages bool
}

// TimeSeriesOptions make a time series collection.
type TimeSeriesOptions struct {
	TimeField string
	MetaField string
	// Granularity is "seconds" (MongoDB's default), "minutes" or "hours".
	Granularity string
	// ExpireAfter removes documents this long after their time field.
	ExpireAfter *time.Duration
}

// CappedOptions make a capped collection of at most Size bytes and, when
// Max is set, Max documents.
type CappedOptions struct {
	Size int64
	Max  int64
}

// CollectionOptionsDeclarer is implemented by models that declare
// collection options. CollectionOptions is called on the zero value.
type CollectionOptionsDeclarer interface {
	CollectionOptions() CollectionOptions
}

// CollectionShape is what a model declares about its collection beyond
// indexes: options and validator, as the server lists them under
// listCollections' "options".
type CollectionShape struct {
	Options   *CollectionOptions
	Validator *Validator // Schema resolved
	origin    string     // the Go type that declared it
}

// Declares reports that the model declares options or a validator.
func (c *CollectionShape) Declares() bool {
	return c != nil && (c.Options != nil || c.Validator != nil)
}

// Document is the options document: what create takes and listCollections
// lists, in a fixed order.
func (c *CollectionShape) Document() bson.D {
	d := bson.D{}
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	if v := c.Validator; v != nil {
		add("validator", bson.D{{Key: "$jsonSchema", Value: v.Schema}})
		add("validationLevel", v.Level)
		add("validationAction", v.Action)
	}
	o := c.Options
	if o == nil {
		return d
	}
	if ts := o.TimeSeries; ts != nil {
		tsd := bson.D{{Key: "timeField", Value: ts.TimeField}}
		if ts.MetaField != "" {
			tsd = append(tsd, bson.E{Key: "metaField", Value: ts.MetaField})
		}
		if ts.Granularity != "" {
			tsd = append(tsd, bson.E{Key: "granularity", Value: ts.Granularity})
		}
		add("timeseries", tsd)
		if ts.ExpireAfter != nil {
			add("expireAfterSeconds", int64(*ts.ExpireAfter/time.Second))
		}
	}
	if o.ClusteredIndex {
		add("clusteredIndex", bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "unique", Value: true}})
	}
	if cp := o.Capped; cp != nil {
		add("capped", true)
		add("size", cp.Size)
		if cp.Max > 0 {
			add("max", cp.Max)
		}
	}
	if o.Collation != nil {
		add("collation", collationDocument(o.Collation))
	}
	if o.ChangeStreamPreAndPostImages {
		add("changeStreamPreAndPostImages", bson.D{{Key: "enabled", Value: true}})
	}
	return d
}

// CheckShape checks a model's collection-level declarations.
func CheckShape(c *CollectionShape, fieldExists func(string) bool) []string {
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
