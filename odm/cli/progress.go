package cli

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/tagodm/tagodm/odm/outcome"
)

// progressPrinter writes Init's progress events to w: on a terminal, one
// line rewritten in place; otherwise one plain line an event. done ends
// the live line so that what follows starts on a line of its own.
type progressPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	live bool
	open bool // a live line is on screen
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, live: isTerminal(w)}
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// show prints one event; Init calls it from several goroutines.
func (p *progressPrinter) show(ev outcome.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live {
		fmt.Fprintf(p.w, "\r\x1b[Kbuilding %s", ev)
		p.open = true
		return
	}
	fmt.Fprintf(p.w, "building %s\n", ev)
}

// done ends the live line, if one is open.
func (p *progressPrinter) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}
