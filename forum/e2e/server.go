// Package e2e drives the real epeople binary from outside, as an operator
// and browsers do: it builds the binary, starts `epeople serve` children on
// loopback ports and stops or kills them, reads their memory, signs citizens
// in through /login, and measures latencies with one percentile rule. The
// load generator (forum/bench) and the end-to-end tests (this package's
// tests, the root's binary test) both use it.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Bounds on a server child's start and graceful stop.
const (
	StartTimeout = 60 * time.Second
	StopTimeout  = 30 * time.Second
)

// Builder compiles epeople from the module's root, with the project's build
// tag, once, on its first Build. Its zero value is ready; Cleanup removes
// the binary.
type Builder struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// Build returns the path of the binary, compiling it on the first call.
func (b *Builder) Build() (string, error) {
	b.once.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			b.err = fmt.Errorf("find the module root: %w", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			b.err = errors.New("find the module root: not inside a module")
			return
		}
		if b.dir, b.err = os.MkdirTemp("", "epeople-test-"); b.err != nil {
			return
		}
		bin := filepath.Join(b.dir, "epeople")
		build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, ".")
		build.Dir = filepath.Dir(gomod)
		if out, err := build.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build epeople: %w\n%s", err, out)
			return
		}
		b.bin = bin
	})
	return b.bin, b.err
}

// Cleanup removes what Build made.
func (b *Builder) Cleanup() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// FreeAddr returns a loopback address with a port nobody listens on now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// LoopbackIP is the i-th client address in 127.77.0.0/16. Linux routes all
// of 127.0.0.0/8 to the loopback device, so each simulated visitor can come
// from its own address, as the server's per-IP limiters expect of real ones.
func LoopbackIP(i int) net.IP { return net.IPv4(127, 77, byte(i/250), byte(1+i%250)) }

// Server is one `epeople serve` child process on a loopback port.
type Server struct {
	Addr     string // 127.0.0.1:PORT
	Base     string // http://Addr
	DB       string // the database file it serves
	Log      string // the file that holds its stderr
	Launched time.Time

	cmd     *exec.Cmd
	out     *outputWatch
	done    chan struct{} // closed when the process has exited
	waitErr error         // its exit status, once done is closed
}

// outputWatch notices the line of the child's stdout that says it serves,
// and keeps nothing once it has.
type outputWatch struct {
	mu      sync.Mutex
	buf     []byte
	seen    bool
	serving chan struct{} // closed on "serving at"
}

func (w *outputWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen {
		w.buf = append(w.buf, p...)
		if bytes.Contains(w.buf, []byte("serving at")) {
			w.seen, w.buf = true, nil
			close(w.serving)
		}
	}
	return len(p), nil
}

// Launch starts bin serving db on a free loopback port with the extra flags
// args, its stderr going to the file logPath, and returns at once. The child
// takes no EPEOPLE_* settings from the environment, only the flags given,
// and is killed if this process dies first.
func Launch(bin, db, logPath string, args ...string) (*Server, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: addr, Base: "http://" + addr, DB: db, Log: logPath,
		out: &outputWatch{serving: make(chan struct{})}, done: make(chan struct{})}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("launch the server: %w", err)
	}
	defer logf.Close()
	s.cmd = exec.Command(bin, append([]string{"serve", "-db", db, "-addr", addr}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EPEOPLE_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Stdout, s.cmd.Stderr = s.out, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	s.Launched = time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("launch the server: %w", err)
	}
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	return s, nil
}

// Start launches the server and waits, up to StartTimeout or until ctx
// ends, until it says it serves; otherwise it kills it and says why.
func Start(ctx context.Context, bin, db, logPath string, args ...string) (*Server, error) {
	s, err := Launch(bin, db, logPath, args...)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case <-s.out.serving:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("the server exited before serving: %w\n%s", s.waitErr, s.LogTail())
	case <-timer.C:
		err = fmt.Errorf("the server did not serve within %s:\n%s", StartTimeout, s.LogTail())
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.Kill()
	return nil, err
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// Exited reports whether the process has exited.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// ExitErr is how the process exited (nil for status 0); call it after Done.
func (s *Server) ExitErr() error { return s.waitErr }

// Signal sends sig to the process.
func (s *Server) Signal(sig os.Signal) error { return s.cmd.Process.Signal(sig) }

// Stop ends the server with SIGTERM, as an operator would, and waits up to
// StopTimeout for it, then kills it. It returns nil when the server exited
// with status 0; once it has exited, Stop only reports how.
func (s *Server) Stop() error {
	if err := s.Signal(syscall.SIGTERM); err != nil && !s.Exited() {
		return fmt.Errorf("stop the server: %w", err)
	}
	timer := time.NewTimer(StopTimeout)
	defer timer.Stop()
	select {
	case <-s.done:
		if s.waitErr != nil {
			return fmt.Errorf("server exit: %w\n%s", s.waitErr, s.LogTail())
		}
		return nil
	case <-timer.C:
		s.Kill()
		return fmt.Errorf("the server did not stop within %s of SIGTERM\n%s", StopTimeout, s.LogTail())
	}
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Server) Kill() {
	_ = s.Signal(syscall.SIGKILL)
	<-s.done
}

// LogTail is the end of the server's stderr, for error messages.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(s.Log)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// LogCount counts how often substr occurs in the server's stderr.
func (s *Server) LogCount(substr string) int {
	b, _ := os.ReadFile(s.Log)
	return bytes.Count(b, []byte(substr))
}

// Memory is the server's resident set now and its peak so far, in KiB.
func (s *Server) Memory() (rss, peak int64, err error) { return ProcessMemory(s.PID()) }

// CPU is the CPU time the server has used so far.
func (s *Server) CPU() (time.Duration, error) { return ProcessCPU(s.PID()) }

// RaiseFileLimit lifts this process's soft limit on open files to the hard
// one when it is below need, for many sockets; server children started
// afterwards inherit it. It fails when even the hard limit is below need.
func RaiseFileLimit(need uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("read the open-file limit: %w", err)
	}
	if lim.Max < need {
		return fmt.Errorf("the open-file limit is %d, and each side needs about %d (raise it with ulimit -Hn)", lim.Max, need)
	}
	if lim.Cur < need {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("raise the open-file limit: %w", err)
		}
	}
	return nil
}
