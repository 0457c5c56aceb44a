// Package odmerr keeps the library's "odm: " prefix to one per message,
// at the front, when one of its errors wraps another of its own: the
// outer message carries the prefix, and the inner one's text goes in
// without it.
package odmerr

import (
	"errors"
	"strings"
)

// Prefix begins every message of the library.
const Prefix = "odm: "

// Inner is err as the part of another message of the library: its text
// without the prefix of the library's error it holds, at its front or
// quoted within (the driver's error in marshalling a typed filter carries
// the filter's error). errors.Is and errors.As still reach err through
// it. An error that holds none of the library's comes back as it is, so
// that errors.Unwrap of the outer error still gives it.
func Inner(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if m := e.Error(); strings.HasPrefix(m, Prefix) {
			if i := strings.Index(msg, m); i >= 0 {
				return inner{err, msg[:i] + m[len(Prefix):] + msg[i+len(m):]}
			}
		}
	}
	return err
}

type inner struct {
	err error
	msg string
}

func (e inner) Error() string { return e.msg }

func (e inner) Unwrap() error { return e.err }
