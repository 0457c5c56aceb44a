package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/odm/outcome"
)

// TestProgressLines: on a terminal one line is rewritten in place and
// ended once; elsewhere each event is a plain line.
func TestProgressLines(t *testing.T) {
	events := []outcome.Progress{
		{Collection: "orders", Indexes: []string{"a_1"}, Phase: "Index Build: scanning collection", Done: 250, Total: 1000, Percent: 25, Elapsed: 4 * time.Second},
		{Collection: "orders", Indexes: []string{"a_1"}, Phase: "Index Build: scanning collection", Done: 750, Total: 1000, Percent: 75, Elapsed: 7 * time.Second},
		// A server that lists the build without phase or counts.
		{Collection: "orders", Indexes: []string{"a_1"}, Percent: -1, Elapsed: 9 * time.Second},
	}
	for _, tt := range []struct {
		name string
		live bool
		want string
	}{
		{name: "plain", want: "building orders a_1: Index Build: scanning collection 250/1000 (25.0%) after 4s\n" +
			"building orders a_1: Index Build: scanning collection 750/1000 (75.0%) after 7s\n" +
			"building orders a_1: running after 9s\n"},
		{name: "live", live: true, want: "\r\x1b[Kbuilding orders a_1: Index Build: scanning collection 250/1000 (25.0%) after 4s" +
			"\r\x1b[Kbuilding orders a_1: Index Build: scanning collection 750/1000 (75.0%) after 7s" +
			"\r\x1b[Kbuilding orders a_1: running after 9s\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := &progressPrinter{w: &b, live: tt.live}
			for _, ev := range events {
				p.show(ev)
			}
			p.done()
			p.done()
			assert.Equal(t, tt.want, b.String())
		})
	}
}

func TestIsTerminal(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer devNull.Close()
	regular, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer regular.Close()
	assert.False(t, isTerminal(&bytes.Buffer{}))
	assert.False(t, isTerminal(regular))
	assert.True(t, isTerminal(devNull), "a character device, as a terminal is")
}
