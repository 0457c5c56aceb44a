package odm

import (
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/internal/memo"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

// Validate reads and checks every model without contacting a server: each
// model's declarations, then the models that share a collection together.
// It takes the arguments Init takes (see Init) and returns all problems,
// of the models and of the arguments, at once in a *ValidationError;
// giving no model at all is one.
func Validate(models ...any) error {
	_, err := declare(models)
	return err
}

// Declared returns, per collection, the indexes the models declare, merged
// and validated as Init would create them. It takes the arguments Init
// takes and fails as Validate does.
func Declared(models ...any) (map[string][]schema.IndexSpec, error) {
	cols, err := declare(models)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]schema.IndexSpec, len(cols))
	for _, c := range cols {
		out[c.Collection] = c.Specs
	}
	return out, nil
}

// DeclaredSearch returns, per collection, the search indexes the models
// declare, merged and validated as Init would create them.
func DeclaredSearch(models ...any) (map[string][]schema.SearchIndexSpec, error) {
	cols, err := declare(models)
	if err != nil {
		return nil, err
	}
	out := map[string][]schema.SearchIndexSpec{}
	for _, c := range cols {
		if len(c.Search) > 0 {
			out[c.Collection] = c.Search
		}
	}
	return out, nil
}

// RedundantIndexes takes the arguments Validate takes and returns, per
// collection in the order the models come, the declared indexes another
// one makes redundant (see RedundantIndex). Only a plain index (ascending
// and descending keys, no option) is ever called redundant: never a
// unique, partial, TTL, sparse, hidden or collation index, nor a text,
// geo, hashed or wildcard one, nor one that supports the shard key
// (IndexSpec.SupportsShardKey). It fails as Validate does.
func RedundantIndexes(models ...any) ([]query.RedundantIndex, error) {
	cols, err := declare(models)
	if err != nil {
		return nil, err
	}
	var out []query.RedundantIndex
	for _, c := range cols {
		out = append(out, query.Redundant(c.Collection, c.Specs)...)
	}
	return out, nil
}

// declare is collect over arguments as Validate and Declared take them:
// []any lists and model sources flatten, and options do not matter.
func declare(args []any) ([]*schema.Declared, error) {
	var models []any
	var ignored engine.Config
	splitArgs(args, &ignored, &models)
	return memo.Collect(models)
}
