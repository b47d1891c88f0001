// Package serveproc runs `mutua serve` as a child process and waits until it
// serves: the benchmark's node, and the black-box and crash tests' nodes.
package serveproc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
)

// Build builds cmd/mutua into dir, the way the README says to, and returns
// the binary's path. The tests that run the real binary use it.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "mutua")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/mutua-org/mutua/cmd/mutua").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Server is a running `mutua serve`.
type Server struct {
	URL   string        // http://127.0.0.1:PORT
	Token string        // the operator token the node wrote to its data directory
	Ready time.Duration // from starting the process until it answered /readyz

	cmd  *exec.Cmd
	logs logBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the process's exit, set before done closes
}

// readyTimeout bounds the wait for a node to answer /readyz: a restart
// replays the log since the last snapshot, which takes seconds, and far
// longer on a loaded machine.
const readyTimeout = 10 * time.Minute

// Start runs `bin serve --data data --listen 127.0.0.1:0` with the extra
// args, takes the address the node chose from its output (so no other
// process can take a port between choosing it and binding it), and waits
// until the node answers /readyz. What the node logs (its stderr) goes to
// out, if not nil; Logs has that and its stdout.
func Start(bin, data string, out io.Writer, args ...string) (*Server, error) {
	s := &Server{done: make(chan struct{})}
	s.logs.tee = out
	s.cmd = exec.Command(bin, append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0"}, args...)...)
	s.cmd.Stderr = &s.logs
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			s.logs.keep([]byte(line + "\n"))
			if _, url, found := strings.Cut(line, "serving on "); found {
				select {
				case addr <- strings.Fields(url)[0]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	deadline := time.After(readyTimeout)
	select {
	case s.URL = <-addr:
	case <-s.done:
		return nil, fmt.Errorf("mutua serve exited before serving: %v\n%s", s.err, s.Logs())
	case <-deadline:
		s.Kill()
		return nil, fmt.Errorf("mutua serve printed no address in %v\n%s", readyTimeout, s.Logs())
	}
	for {
		if resp, err := http.Get(s.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("mutua serve exited before ready: %v\n%s", s.err, s.Logs())
		case <-deadline:
			s.Kill()
			return nil, fmt.Errorf("mutua serve not ready after %v\n%s", readyTimeout, s.Logs())
		case <-time.After(5 * time.Millisecond):
		}
	}
	s.Ready = time.Since(start)
	tok, err := os.ReadFile(filepath.Join(data, daemon.OperatorTokenFile))
	if err != nil {
		s.Kill()
		return nil, err
	}
	s.Token = strings.TrimSpace(string(tok))
	return s, nil
}

// Stop asks the node to shut down (SIGTERM) and returns how it exited: nil
// for a clean exit.
func (s *Server) Stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
	return s.err
}

// Kill ends the node with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Pid returns the node's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Logs returns what the node has written to stdout and stderr so far.
func (s *Server) Logs() string { return s.logs.String() }

// logBuffer keeps what the process writes, and copies its log (what Write
// gets) to tee if set. It is safe for the process's writers and readers.
type logBuffer struct {
	mu  sync.Mutex
	b   bytes.Buffer
	tee io.Writer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tee != nil {
		l.tee.Write(p)
	}
	return l.b.Write(p)
}

// keep keeps p without copying it to tee.
func (l *logBuffer) keep(p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
