package schema

import (
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
	Origin    string     // the Go type that declared it
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

// collationDocument renders a collation with only the fields set, in the
// order MongoDB documents them.
func collationDocument(c *options.Collation) bson.D {
	d := bson.D{{Key: "locale", Value: c.Locale}}
	if c.CaseLevel {
		d = append(d, bson.E{Key: "caseLevel", Value: true})
	}
	if c.CaseFirst != "" {
		d = append(d, bson.E{Key: "caseFirst", Value: c.CaseFirst})
	}
	if c.Strength != 0 {
		d = append(d, bson.E{Key: "strength", Value: int32(c.Strength)})
	}
	if c.NumericOrdering {
		d = append(d, bson.E{Key: "numericOrdering", Value: true})
	}
	if c.Alternate != "" {
		d = append(d, bson.E{Key: "alternate", Value: c.Alternate})
	}
	if c.MaxVariable != "" {
		d = append(d, bson.E{Key: "maxVariable", Value: c.MaxVariable})
	}
	if c.Normalization {
		d = append(d, bson.E{Key: "normalization", Value: true})
	}
	if c.Backwards {
		d = append(d, bson.E{Key: "backwards", Value: true})
	}
	return d
}
