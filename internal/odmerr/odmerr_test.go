package odmerr

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

type refusal struct{ what string }

func (r *refusal) Error() string { return "odm: " + r.what }

func TestInner(t *testing.T) {
	ours := &refusal{"a bad tag"}
	outer := fmt.Errorf("odm: Collection[x]: %w", Inner(ours))
	if got, want := outer.Error(), "odm: Collection[x]: a bad tag"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var r *refusal
	if !errors.As(outer, &r) || r != ours {
		t.Error("errors.As does not reach the inner error")
	}
	if !errors.Is(outer, ours) {
		t.Error("errors.Is does not reach the inner error")
	}

	// The driver's error quoting the library's, as in marshalling a typed
	// filter that holds an error.
	quoting := fmt.Errorf("cannot marshal type Filter: %w", ours)
	outer = fmt.Errorf("odm: find on x: %w", Inner(quoting))
	if got, want := outer.Error(), "odm: find on x: cannot marshal type Filter: a bad tag"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.As(outer, &r) || !errors.Is(outer, quoting) {
		t.Error("errors.As and errors.Is do not reach the inner errors")
	}

	theirs := context.Canceled
	if Inner(theirs) != theirs {
		t.Error("an error without the prefix is not left as it is")
	}
	if errors.Unwrap(fmt.Errorf("odm: x: %w", Inner(theirs))) != theirs {
		t.Error("errors.Unwrap does not give an error without the prefix")
	}
	if Inner(nil) != nil {
		t.Error("Inner(nil) is not nil")
	}
}
