package odm

import (
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/repo"
	"github.com/tagodm/tagodm/odm/schema"
)

// The repository's machinery, reached from the package's internal tests.

func (c *Collection[T]) checkQuery(op string, filter any, parts pathcheck.Parts) (any, error) {
	return c.core().CheckQuery(op, filter, parts)
}

func (c *Collection[T]) prepareUpdate(op string, filter, update any, upsert bool) (repo.PreparedUpdate, error) {
	return c.core().PrepareUpdate(op, filter, update, upsert)
}

func (c *Collection[T]) model() *schema.Model { return c.core().Model() }

func (c *Collection[T]) checkWriteFilter(op string, filter any, parts pathcheck.Parts) error {
	return c.core().CheckWriteFilter(op, filter, parts)
}

func isDuplicate(err error) bool { return repo.IsDuplicate(err) }
