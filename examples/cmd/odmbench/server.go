package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/tagodm/tagodm/examples/embedded"
)

// serveEnv makes odmbench run the embedded server instead of the
// benchmark: the parent starts itself again with it set.
const serveEnv = "ODMBENCH_SERVE"

// serve runs the embedded server until standard input closes, printing
// its URI as the first line of standard output.
func serve() {
	srv, err := embedded.Start(embedded.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Stop()
	fmt.Println(srv.URI)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// startServer starts the embedded server in a process of its own and
// returns its URI and how to stop it. A service never runs its database
// inside its own process: sharing one Go runtime (its two cores, its
// scheduler, its garbage collector) with the server would charge the
// server's work to whichever side of a measurement runs beside it.
func startServer() (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		stdin.Close() // the server stops when its input closes
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if uri := strings.TrimSpace(line); err == nil && strings.HasPrefix(uri, "mongodb://") {
		go func() { _, _ = io.Copy(io.Discard, stdout) }()
		return uri, stop, nil
	}
	stop()
	return "", nil, fmt.Errorf("the embedded server did not start (read %q: %v)", line, err)
}
