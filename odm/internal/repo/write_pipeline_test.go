package repo

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A write with nothing to send ends with no error; any other error stays.
func TestNoWrite(t *testing.T) {
	assert.NoError(t, noWrite(errNoWrite))
	other := errors.New("stopped")
	assert.Equal(t, other, noWrite(other))
	assert.NoError(t, noWrite(nil))
}
