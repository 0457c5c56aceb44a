// Command embedded-mongo runs the embedded MongoDB-wire server until its
// standard input closes or it receives an interrupt, printing its URI as the
// first line of standard output. The library's test rig starts it once per
// test binary; it can also serve local experiments.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tagodm/tagodm/examples/embedded"
)

func main() {
	srv, err := embedded.Start(embedded.Options{Dir: os.Getenv("EMBEDDED_MONGO_DIR")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Stop()
	fmt.Println(srv.URI)

	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-stdinClosed:
	case <-sig:
	}
}
