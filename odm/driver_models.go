package odm

import (
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// IndexModel converts s to the driver's index model, for a caller that
// creates indexes with the driver's CreateMany itself.
func IndexModel(s schema.IndexSpec) mongo.IndexModel {
	o := options.Index().SetName(s.IndexName())
	if s.Unique {
		o.SetUnique(true)
	}
	if s.Sparse {
		o.SetSparse(true)
	}
	if secs, ok := s.ExpireSeconds(); ok {
		o.SetExpireAfterSeconds(secs)
	}
	if s.Hidden {
		o.SetHidden(true)
	}
	if s.PartialFilter != nil {
		o.SetPartialFilterExpression(s.PartialFilter)
	}
	if s.Collation != nil {
		o.SetCollation(s.Collation)
	}
	if len(s.Weights) > 0 {
		for _, e := range s.Document() {
			if e.Key == "weights" {
				o.SetWeights(e.Value)
			}
		}
	}
	if s.DefaultLanguage != "" {
		o.SetDefaultLanguage(s.DefaultLanguage)
	}
	if s.LanguageOverride != "" {
		o.SetLanguageOverride(s.LanguageOverride)
	}
	if s.WildcardProjection != nil {
		o.SetWildcardProjection(s.WildcardProjection)
	}
	if s.Bits != nil {
		o.SetBits(*s.Bits)
	}
	if s.Min != nil {
		o.SetMin(*s.Min)
	}
	if s.Max != nil {
		o.SetMax(*s.Max)
	}
	return mongo.IndexModel{Keys: s.KeyDocument(), Options: o}
}
