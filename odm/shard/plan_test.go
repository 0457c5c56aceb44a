package shard

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPending: a plan row counts as pending when applying it sends a
// command about the key or fails on it.
func TestPending(t *testing.T) {
	for step, want := range map[Step]int{StepNone: 0, StepHeld: 0, StepReport: 0, StepShard: 1, StepSupportShard: 1, StepRefine: 1, StepFail: 1} {
		assert.Equal(t, want, (&Plan{Step: step}).Pending(), step)
	}
	assert.Zero(t, (*Plan)(nil).Pending())
}
