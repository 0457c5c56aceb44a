package repo

import (
	"context"
	"fmt"
	"time"

	"github.com/tagodm/tagodm/odm/internal/hooks"
)

// after runs doc's after-hook h, when stored.
func (c *Core[T]) after(ctx context.Context, op string, stored bool, h hooks.Hook, doc *T) error {
	if !stored || !c.hooks.Has(h) {
		return nil
	}
	if err := hooks.Call(ctx, h, doc, c.model.Type.String()); err != nil {
		return fmt.Errorf("odm: %s on %s: written, then %w", op, c.Name(), err)
	}
	return nil
}

// filterHook calls FilterHooks' before function, or after's once the
// write succeeded (replied nil).
func (c *Core[T]) filterHook(ctx context.Context, op string, after bool, replied error, k Kind, filter, update, result any) error {
	f, which, then := c.filterBefore, "before", ""
	if after {
		f, which, then = c.filterAfter, "after", "written, then "
	}
	if f == nil || replied != nil {
		return nil
	}
	who := fmt.Sprintf("FilterHooks' %s function of Collection[%v]", which, c.model.Type)
	call := func() error { return f(ctx, string(k), c.Name(), filter, update, result) }
	if err := hooks.Guard(who, "FilterHooks "+which, c.model.Type.String(), call); err != nil {
		return fmt.Errorf("odm: %s on %s: %s%w", op, c.Name(), then, err)
	}
	return nil
}

// stamp sets doc's UpdatedAt to t, and with insert its CreatedAt when
// zero.
func (c *Core[T]) stamp(doc *T, t time.Time, insert bool) {
	created, updated := c.pub.Timestamps(doc)
	if insert && created.IsZero() {
		*created = t
	}
	*updated = t
}

// filterResult is what FilterHooks' after function gets as a write's
// result: the document a FindOneAnd* returned (find), or the command's
// result; nil, not a nil pointer, when there is none (a bulk write's: the
// server counts for the whole bulk).
func filterResult[R, T any](res *R, find bool, out *T) any {
	switch {
	case find:
		return out
	case res == nil:
		return nil
	}
	return res
}
