package engine

import (
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SearchIndexModel converts s to the driver's mongo.SearchIndexModel, name
// and type set.
func SearchIndexModel(s schema.SearchIndexSpec) mongo.SearchIndexModel {
	return mongo.SearchIndexModel{
		Definition: s.DefinitionDocument(),
		Options:    options.SearchIndexes().SetName(s.IndexName()).SetType(string(s.IndexType())),
	}
}
