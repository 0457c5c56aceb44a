package odm

import (
	"context"
	"fmt"
)

// ModifyRetries sets how many more times the repository's Modify and
// ModifyByID read the document, change it and try to write it back when
// another writer got there first: the default of every call that does not
// say (Retry, which counts the same way). Without it, a model with a
// revision does not retry and one without retries twice. A negative n is
// an error from NewCollection.
func ModifyRetries(n int) CollectionOption {
	return func(c *collectionConfig) {
		if n < 0 {
			c.err = fmt.Errorf("odm: ModifyRetries(%d): the number of retries cannot be negative", n)
			return
		}
		c.modifyAttempts = n + 1
	}
}

// ModifyOption configures one Modify or ModifyByID call.
type ModifyOption func(*modifyConfig)

type modifyConfig struct{ retry *int }

// Retry lets one Modify call read, change and write again up to n more
// times when another writer got there first (a stale revision, or a
// changed field that no longer holds what was read): change is then
// called again, on the document as the other writer left it. Retry(0) is
// no retry, whatever the repository's ModifyRetries; a negative n is an
// error.
func Retry(n int) ModifyOption {
	return func(c *modifyConfig) { c.retry = &n }
}

// Modify reads the first document filter matches, lets change alter it in
// Go, and writes back only the top-level fields change altered ($set, and
// $unset for a field it left out), so fields the struct does not know and
// fields nobody changed stay as stored. It returns the document as
// written, or nil and no error when filter matches nothing.
//
// The write applies only if the document has not changed since it was
// read: for a revisioned model, under the revision guard (renewing the
// revision); otherwise while the altered fields still hold what was read.
// When another writer got there first, a revisioned model's Modify returns
// the *StaleRevisionError, as Beanie's save_changes raises on a stale
// revision: nothing is written, and the caller decides. Retry(n), per
// call, reads again and calls change again on what the other writer
// stored, up to n more times; a model without a revision retries twice by
// default (ModifyRetries sets a repository's default). A retry re-applies
// change to the new document: a change that must not be applied over
// another writer's (a cancellation, a state machine's step) should not
// retry. An error from change is returned as it is, and nothing is
// written. A change that alters nothing writes nothing. For a model with a
// shard key the write names the key's values as read; a change of them is
// refused with ErrShardKeyChange outside a transaction.
func (c *Collection[T]) Modify(ctx context.Context, filter any, change func(doc *T) error, opts ...ModifyOption) (*T, error) {
	return c.core().Modify(ctx, filter, change, retryOf(opts))
}

// ModifyByID is Modify of the document whose _id is id.
func (c *Collection[T]) ModifyByID(ctx context.Context, id any, change func(doc *T) error, opts ...ModifyOption) (*T, error) {
	return c.core().ModifyByID(ctx, id, change, retryOf(opts))
}

// retryOf is the retries opts ask for; nil when none says.
func retryOf(opts []ModifyOption) *int {
	var cfg modifyConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return cfg.retry
}
