package e2e

// Fault tests against the real binary (issue 7, "Faults"): kill -9 at random
// moments, another process holding the write lock, a full disk, websocket
// readers that never read, and SIGTERM under load.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/gorilla/websocket"
)

// The demo proposals the fault and load tests write to. Supports go only to
// proposals awaiting their ministry's answer, which take supports without
// any threshold moving them on, so a toggle changes one row and one counter.
var (
	commentProposals = []int64{5, 11, 15}
	supportProposals = []int64{5, 15}
)

// writeResult is one write a writer sent and what came back.
type writeResult struct {
	kind string // "comment" or "support"
	sent time.Time
	r    reply
	err  error
}

// runWriter posts comments and toggles supports as v (user userID) until
// stop is closed, one request at a time and at most one every gap,
// alternating comment and support. Every answer is filed in the books and
// passed to seen.
func runWriter(v *visitor, userID int64, w string, comments *commentBook, supports *supportBook, gap time.Duration,
	stop <-chan struct{}, seen func(writeResult)) {
	next := time.Now()
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		case <-time.After(time.Until(next)):
		}
		next = next.Add(gap)
		res := writeResult{sent: time.Now()}
		if n%2 == 0 {
			body := fmt.Sprintf("%s %s n%d: 보행로 안전 의견 %d", comments.prefix, w, n, n)
			r, id, err := v.comment(commentProposals[(n/2)%len(commentProposals)], body)
			comments.record(body, r, id, err)
			res.kind, res.r, res.err = "comment", r, err
		} else {
			r, err := supports.toggle(v, supportKey{userID, supportProposals[(n/2)%len(supportProposals)]})
			res.kind, res.r, res.err = "support", r, err
		}
		if seen != nil {
			seen(res)
		}
	}
}

// accountIDs lists the user ids of the first n demo accounts.
func accountIDs(d *demoDB, n int) []int64 {
	ids := make([]int64, n)
	for i := range n {
		ids[i] = d.accounts[i].UserID
	}
	return ids
}

// killCycles is how many times TestFault_Kill9 kills the server.
const killCycles = 10

// TestFault_Kill9 kills the server with SIGKILL at random moments while six
// citizens write, ten times over one database, and after each kill checks
// that every acknowledged write is stored, the file passes integrity_check
// and its counters agree with their rows, and that the restarted server
// answers within 5 seconds.
func TestFault_Kill9(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary")
	}
	const writers = 6
	d := demoTemplate(t)
	db := copyDemo(t, "")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("random kill moments from seed %d", seed)
	comments := newCommentBook("kill9-" + strconv.FormatUint(seed, 36))
	raw := openDB(t, db)
	supports := loadSupports(t, raw, accountIDs(d, writers), supportProposals)
	raw.Close()

	var ready []time.Duration
	var unexpected atomic.Int64
	for cycle := range killCycles {
		srv := launchServer(t, db)
		probe := newVisitor(t, srv.Base, Account{}, LoopbackIP(100), time.Second)
		up := waitFor(5*time.Second, func() bool {
			r, err := probe.get("/healthz")
			return err == nil && r.Status == http.StatusOK
		})
		ready = append(ready, time.Since(srv.Launched))
		if !up {
			t.Fatalf("cycle %d: the restarted server did not answer within 5 s\n%s", cycle, srv.LogTail())
		}
		if r, err := probe.get("/proposals/5"); err != nil || r.Status != http.StatusOK {
			t.Fatalf("cycle %d: proposal page after restart: %v %d", cycle, err, r.Status)
		}

		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			v := newVisitor(t, srv.Base, d.accounts[w], LoopbackIP(w), 10*time.Second)
			wg.Add(1)
			go func() {
				defer wg.Done()
				runWriter(v, d.accounts[w].UserID, fmt.Sprintf("c%dw%d", cycle, w), comments, supports, 25*time.Millisecond, stop, func(res writeResult) {
					if res.err == nil && res.r.Status != http.StatusOK && res.r.Status != http.StatusCreated {
						if unexpected.Add(1) <= 3 {
							t.Errorf("cycle %d: %s answered %d: %s", cycle, res.kind, res.r.Status, res.r.Body)
						}
					}
				})
			}()
		}
		time.Sleep(time.Duration(150+rng.IntN(1500)) * time.Millisecond)
		srv.Kill()
		close(stop)
		wg.Wait()

		verifyStored(t, db, comments, supports)
		if t.Failed() {
			t.Fatalf("cycle %d failed\n%s", cycle, srv.LogTail())
		}
	}
	if n := unexpected.Load(); n > 0 {
		t.Errorf("%d writes got an answer other than 200/201", n)
	}
	t.Logf("%d kill cycles; restart to first answer: %s", killCycles, percentiles(ready))
}

// Lock contention: the store's busy timeout, how long another process holds
// the write lock, and how much longer than the busy timeout a writer may
// wait for its answer.
const (
	busyTimeout = 5 * time.Second
	lockHold    = 8 * time.Second
	answerSlack = 2 * time.Second
)

// TestFault_LockContention has another process (this test, on its own
// connection to the file) hold the SQLite write lock for 8 seconds while
// eight citizens keep writing and two visitors keep reading. Every write must
// be answered within the busy timeout plus a small margin, with success or
// 503 and a Retry-After header, never 500; every read must be served; and
// writes must succeed again once the lock is released.
func TestFault_LockContention(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary")
	}
	const writers, readers = 8, 2
	d := demoTemplate(t)
	db := copyDemo(t, "")
	srv := startServer(t, db)
	comments := newCommentBook("lock-" + strconv.FormatInt(time.Now().UnixNano(), 36))
	raw := openDB(t, db)
	supports := loadSupports(t, raw, accountIDs(d, writers), supportProposals)
	raw.Close()

	release := storetest.HoldWriteLock(t, db)
	held := time.Now()
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(lockHold)
		if err := release(); err != nil {
			t.Errorf("release the lock: %v", err)
		}
		released <- time.Now()
	}()

	var mu sync.Mutex
	var writes []writeResult
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		v := newVisitor(t, srv.Base, d.accounts[w], LoopbackIP(w), busyTimeout+answerSlack)
		wg.Add(1)
		go func() {
			defer wg.Done()
			runWriter(v, d.accounts[w].UserID, "w"+strconv.Itoa(w), comments, supports, 100*time.Millisecond, stop, func(res writeResult) {
				mu.Lock()
				writes = append(writes, res)
				mu.Unlock()
			})
		}()
	}
	type readResult struct {
		path string
		r    reply
		err  error
	}
	var reads []readResult
	paths := []string{"/proposals/5", "/proposals", "/search?q=" + url.QueryEscape("청년 월세"), "/api/v1/proposals", "/healthz"}
	for i := range readers {
		v := newVisitor(t, srv.Base, Account{}, LoopbackIP(50+i), busyTimeout)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				p := paths[n%len(paths)]
				r, err := v.get(p)
				mu.Lock()
				reads = append(reads, readResult{p, r, err})
				mu.Unlock()
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	// Writers stop sending when the hold ends; their last requests are still answered.
	time.Sleep(time.Until(held.Add(lockHold)))
	close(stop)
	wg.Wait()
	freed := <-released

	after := newVisitor(t, srv.Base, d.accounts[writers], LoopbackIP(writers), busyTimeout+answerSlack)
	body := comments.prefix + " after the lock"
	r, id, err := after.comment(11, body)
	comments.record(body, r, id, err)
	if err != nil || r.Status != http.StatusCreated {
		t.Errorf("write after the lock was released: %v %d %s", err, r.Status, r.Body)
	}

	var ok, busy []time.Duration
	for _, w := range writes {
		during := w.sent.Before(freed)
		switch {
		case w.err != nil:
			t.Errorf("%s sent %.1fs into the hold: no answer within %s: %v", w.kind, w.sent.Sub(held).Seconds(), busyTimeout+answerSlack, w.err)
		case w.r.Status == http.StatusServiceUnavailable:
			if n, err := strconv.Atoi(w.r.RetryAfter); err != nil || n <= 0 {
				t.Errorf("%s got 503 without a usable Retry-After: %q", w.kind, w.r.RetryAfter)
			}
			busy = append(busy, w.r.Latency)
		case w.r.Status == http.StatusOK || w.r.Status == http.StatusCreated:
			ok = append(ok, w.r.Latency)
		default:
			t.Errorf("%s sent %.1fs into the hold (during: %v) got %d: %s", w.kind, w.sent.Sub(held).Seconds(), during, w.r.Status, w.r.Body)
		}
	}
	if len(busy) == 0 {
		t.Errorf("no write got 503 while the lock was held for %s (%d writes)", lockHold, len(writes))
	}
	var readLat []time.Duration
	for _, r := range reads {
		if r.err != nil || r.r.Status != http.StatusOK {
			t.Errorf("read %s during the hold: %v %d", r.path, r.err, r.r.Status)
			continue
		}
		readLat = append(readLat, r.r.Latency)
	}
	if len(readLat) < 10 {
		t.Errorf("only %d reads served during the %s hold", len(readLat), lockHold)
	}
	t.Logf("lock held %.1fs; writes: %d answered 503 (%s), %d succeeded (%s); reads: %s",
		freed.Sub(held).Seconds(), len(busy), percentiles(busy), len(ok), percentiles(ok), percentiles(readLat))
	if n := srv.LogCount("status=500"); n > 0 {
		t.Errorf("server logged %d 500s", n)
	}
	stopServer(t, srv)
	verifyStored(t, db, comments, supports)
}

// TestFault_DiskFull runs the server on a small tmpfs, fills it, and checks
// that writes get 503 and leave nothing behind, reads keep working, and
// writes succeed again once the filesystem grows, without a restart. It needs
// to mount a filesystem (root); elsewhere it skips and README.md's "Fault
// tests" section describes the same check by hand.
func TestFault_DiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary")
	}
	d := demoTemplate(t)
	fi, err := os.Stat(d.path)
	if err != nil {
		t.Fatal(err)
	}
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	sizeKiB := fi.Size()/1024 + 1024 // the database, and 1 MiB for the write-ahead log and its index
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dk", sizeKiB), "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs (%v: %s); do the manual disk-full check in README.md, \"Fault tests\"", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
			_ = exec.Command("umount", "-l", mnt).Run()
		}
	})
	db := copyDemo(t, mnt)
	srv := startServer(t, db) // registered after the unmount, so killed before it
	comments := newCommentBook("full-" + strconv.FormatInt(time.Now().UnixNano(), 36))
	raw := openDB(t, db)
	supports := loadSupports(t, raw, accountIDs(d, 1), supportProposals)
	raw.Close()
	v := newVisitor(t, srv.Base, d.accounts[0], LoopbackIP(0), 15*time.Second)
	anon := newVisitor(t, srv.Base, Account{}, LoopbackIP(50), 15*time.Second)
	n := 0
	write := func() (string, reply, error) {
		n++
		if n%3 == 0 {
			r, err := supports.toggle(v, supportKey{d.accounts[0].UserID, supportProposals[n%2]})
			return "support", r, err
		}
		body := fmt.Sprintf("%s n%d: 디스크가 가득 찬 상황의 의견", comments.prefix, n)
		r, id, err := v.comment(11, body)
		comments.record(body, r, id, err)
		return "comment", r, err
	}
	if kind, r, err := write(); err != nil || r.Status/100 != 2 {
		t.Fatalf("%s before filling the disk: %v %d %s", kind, err, r.Status, r.Body)
	}

	filled := fillDisk(t, filepath.Join(mnt, "filler"))
	var st syscall.Statfs_t
	_ = syscall.Statfs(mnt, &st)
	t.Logf("filesystem of %d KiB filled with %d KiB; %d bytes free", sizeKiB, filled/1024, st.Bavail*uint64(st.Bsize))

	var refused []time.Duration
	for range 12 {
		kind, r, err := write()
		switch {
		case err != nil:
			t.Errorf("%s on a full disk: %v", kind, err)
		case r.Status != http.StatusServiceUnavailable:
			t.Errorf("%s on a full disk: got %d, want 503: %s", kind, r.Status, r.Body)
		case r.RetryAfter == "":
			t.Errorf("%s on a full disk: 503 without Retry-After", kind)
		default:
			refused = append(refused, r.Latency)
		}
	}
	for _, p := range []string{"/proposals/11", "/proposals", "/search?q=" + url.QueryEscape("정책"), "/api/v1/proposals/11", "/healthz"} {
		if r, err := anon.get(p); err != nil || r.Status != http.StatusOK {
			t.Errorf("read %s on a full disk: %v %d", p, err, r.Status)
		}
	}

	if out, err := exec.Command("mount", "-o", "remount,size=64m", mnt).CombinedOutput(); err != nil {
		t.Fatalf("grow the filesystem: %v %s", err, out)
	}
	var resumed time.Duration
	start := time.Now()
	if !waitFor(10*time.Second, func() bool { _, r, err := write(); return err == nil && r.Status/100 == 2 }) {
		t.Fatalf("writes did not resume within 10 s of space returning\n%s", srv.LogTail())
	}
	resumed = time.Since(start)
	for range 6 {
		if kind, r, err := write(); err != nil || r.Status/100 != 2 {
			t.Errorf("%s after space returned: %v %d %s", kind, err, r.Status, r.Body)
		}
	}
	t.Logf("full disk: %d writes refused with 503 (%s); writes resumed %s after the filesystem grew",
		len(refused), percentiles(refused), resumed.Round(time.Millisecond))
	if n := srv.LogCount("status=500"); n > 0 {
		t.Errorf("server logged %d 500s", n)
	}
	stopServer(t, srv)
	verifyStored(t, db, comments, supports)
}

// fillDisk writes path until the filesystem has no room left and returns
// how many bytes it wrote.
func fillDisk(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total int64
	for _, size := range []int{64 << 10, 4 << 10, 512, 1} {
		buf := make([]byte, size)
		for {
			n, err := f.Write(buf)
			total += int64(n)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				t.Fatalf("fill the disk: %v", err)
			}
		}
	}
	return total
}

// Slow readers: how many never read, how many read everything, how many
// comments of the largest size flood them, and how soon after the flood the
// server must have closed them. On loopback the kernel gives the server's
// side of each socket a send buffer of up to 4 MiB (net.ipv4.tcp_wmem); with
// the slow reader's tiny window it holds about 750 KB of event data before
// the server's write blocks (measured: 50 comments). 200 comments of 5,000
// Hangul syllables (about 15 KB each, 3 MB in all) are more than that buffer
// and the hub's queue of 64 events together.
const (
	slowClients    = 20
	healthyClients = 10
	floodComments  = 200
	floodPosters   = 8
	slowDropWithin = 15 * time.Second
)

// TestFault_SlowReaders opens 20 live sockets with a tiny receive buffer that
// never read and 10 that read everything, floods their topic with large
// comments until the slow sockets' buffers are full, and checks that the
// server closes every slow socket within 15 seconds of the flood while every
// healthy one gets every event of the topic, in order, once.
func TestFault_SlowReaders(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary")
	}
	d := demoTemplate(t)
	db := copyDemo(t, "")
	srv := startServer(t, db, "-live-per-ip", "1000")
	_, portStr, _ := net.SplitHostPort(srv.Addr)
	serverPort, _ := strconv.Atoi(portStr)
	const topic = "proposal:11"
	since := maxEventID(t, db)

	healthy := make([]*liveClient, healthyClients)
	for i := range healthy {
		ws, err := dialLive(srv.Base, topic, since, nil)
		if err != nil {
			t.Fatalf("healthy socket %d: %v", i, err)
		}
		healthy[i] = startReading(ws, nil)
		defer healthy[i].stop()
	}
	small := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
		return errors.Join(err, serr)
	}}
	slow := make([]*websocket.Conn, slowClients)
	slowPort := make([]int, slowClients)
	for i := range slow {
		ws, err := dialLive(srv.Base, topic, since, small.DialContext)
		if err != nil {
			t.Fatalf("slow socket %d: %v", i, err)
		}
		defer ws.Close()
		slow[i] = ws
		slowPort[i] = ws.NetConn().LocalAddr().(*net.TCPAddr).Port
	}

	comments := newCommentBook("slow-" + strconv.FormatInt(time.Now().UnixNano(), 36))
	long := []rune(strings.Repeat("느리게읽는구독자는끊기고나머지는모두받아야합니다", 250)) // Hangul only: 3 bytes a character
	floodStart := time.Now()
	// Watch the server's side of the slow sockets from the flood's start.
	var mu sync.Mutex
	droppedAt := map[int]time.Duration{} // slow socket → when the server closed it, from the flood's start
	watchStop, watchDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watchDone)
		for {
			states, err := serverSockets(serverPort)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			for i, p := range slowPort {
				if _, ok := droppedAt[i]; !ok && states[p] != tcpEstablished {
					droppedAt[i] = time.Since(floodStart)
				}
			}
			mu.Unlock()
			select {
			case <-watchStop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range floodPosters {
		v := newVisitor(t, srv.Base, d.accounts[w], LoopbackIP(w), 15*time.Second)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < floodComments; k += floodPosters {
				body := fmt.Sprintf("%s c%d ", comments.prefix, k)
				body += string(long[:forum.CommentBodyMax-utf8.RuneCountInString(body)])
				r, id, err := v.comment(11, body)
				comments.record(body, r, id, err)
				if err != nil || r.Status != http.StatusCreated {
					if failed.Add(1) <= 3 {
						t.Errorf("flood comment %d: %v %d %s", k, err, r.Status, r.Body)
					}
				}
			}
		}()
	}
	wg.Wait()
	floodEnd := time.Now()

	// The server has closed a socket when its side is no longer ESTABLISHED.
	left := slowClients
	for left > 0 && time.Since(floodEnd) < slowDropWithin {
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		left = slowClients - len(droppedAt)
		mu.Unlock()
	}
	close(watchStop)
	<-watchDone
	if left > 0 {
		t.Errorf("%d of %d slow sockets still open %s after the flood", left, slowClients, slowDropWithin)
	}
	var drops []time.Duration
	for _, at := range droppedAt {
		drops = append(drops, at)
	}
	// Reading now must end in a close frame or a closed connection, not a wait.
	codes := map[string]int{}
	for i, ws := range slow {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		var err error
		for err == nil {
			_, _, err = ws.ReadMessage()
		}
		var ne net.Error
		var ce *websocket.CloseError
		switch {
		case errors.As(err, &ce):
			codes[strconv.Itoa(ce.Code)]++
		case errors.As(err, &ne) && ne.Timeout():
			t.Errorf("slow socket %d: still open (read timed out)", i)
		default:
			codes["closed without close frame"]++
		}
	}

	raw := openDB(t, db)
	want := eventIDs(t, raw, []string{topic}, since)
	raw.Close()
	if len(want) < floodComments {
		t.Fatalf("only %d events stored on %s for %d comments", len(want), topic, floodComments)
	}
	last := want[len(want)-1]
	waitFor(10*time.Second, func() bool {
		for _, c := range healthy {
			if !c.has(last) {
				return false
			}
		}
		return true
	})
	for i, c := range healthy {
		if diff, missing := compareIDs(c.received(), want); diff != "" {
			c.mu.Lock()
			t.Errorf("healthy socket %d: %s (reader: %v)", i, diff, c.err)
			c.mu.Unlock()
			logEvents(t, db, missing)
		}
	}
	t.Logf("%d comments of %d characters posted in %s; %d slow sockets closed by the server, after the flood's start: %s; on reading them: %v; %d healthy sockets got all %d events",
		floodComments, forum.CommentBodyMax, floodEnd.Sub(floodStart).Round(time.Millisecond), len(drops), percentiles(drops), codes, healthyClients, len(want))
	stopServer(t, srv)
	verifyStored(t, db, comments, nil)
}

// tcpEstablished is the state code of an established socket in /proc/net/tcp.
const tcpEstablished = "01"

// serverSockets maps each client port connected to the loopback server on
// port to the state of the server's side of that connection, from
// /proc/net/tcp. A missing entry means the server's socket is gone.
func serverSockets(port int) (map[int]string, error) {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return nil, err
	}
	states := map[int]string{}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		_, lp, _ := strings.Cut(f[1], ":")
		_, rp, _ := strings.Cut(f[2], ":")
		local, err1 := strconv.ParseInt(lp, 16, 32)
		remote, err2 := strconv.ParseInt(rp, 16, 32)
		if err1 == nil && err2 == nil && int(local) == port {
			states[int(remote)] = f[3]
		}
	}
	return states, nil
}

// TestFault_GracefulShutdown sends SIGTERM while six citizens write, twenty
// live sockets listen, and one request is half sent. The half-sent request
// must complete, every socket must get a 1001 close frame, the process must
// exit 0, and every acknowledged write must be in the database.
func TestFault_GracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary")
	}
	const writers, sockets = 6, 20
	d := demoTemplate(t)
	db := copyDemo(t, "")
	srv := startServer(t, db, "-live-per-ip", "1000")
	since := maxEventID(t, db)
	comments := newCommentBook("term-" + strconv.FormatInt(time.Now().UnixNano(), 36))
	raw := openDB(t, db)
	supports := loadSupports(t, raw, accountIDs(d, writers), supportProposals)
	raw.Close()

	live := make([]*liveClient, sockets)
	for i := range live {
		ws, err := dialLive(srv.Base, "proposal:5,proposal:11,proposal:15", since, nil)
		if err != nil {
			t.Fatalf("socket %d: %v", i, err)
		}
		live[i] = startReading(ws, nil)
		defer live[i].stop()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var writes []writeResult
	for w := range writers {
		v := newVisitor(t, srv.Base, d.accounts[w], LoopbackIP(w), 10*time.Second)
		wg.Add(1)
		go func() {
			defer wg.Done()
			runWriter(v, d.accounts[w].UserID, "w"+strconv.Itoa(w), comments, supports, 25*time.Millisecond, stop, func(res writeResult) {
				mu.Lock()
				writes = append(writes, res)
				mu.Unlock()
			})
		}()
	}
	time.Sleep(1500 * time.Millisecond)

	// A comment whose headers and half its body are sent before SIGTERM.
	a := d.accounts[writers]
	slowBody := comments.prefix + " sent across the shutdown"
	form := url.Values{"body": {slowBody}, "stance": {"for"}}.Encode()
	conn, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: LoopbackIP(writers)}}).Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST /proposals/11/comments HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nX-CSRF-Token: %s\r\nAccept: application/json\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", srv.Addr, a.Cookie(), a.CSRF, len(form))
	if _, err := conn.Write([]byte(head + form[:len(form)/2])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	sigterm := time.Now()
	if err := srv.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if _, err := conn.Write([]byte(form[len(form)/2:])); err != nil {
		t.Errorf("finish the half-sent request after SIGTERM: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Errorf("the request in flight at SIGTERM got no answer: %v", err)
		comments.record(slowBody, reply{}, 0, err)
	} else {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var out struct {
			CommentID int64 `json:"comment_id"`
		}
		_ = json.Unmarshal(b, &out)
		if res.StatusCode != http.StatusCreated || out.CommentID == 0 {
			t.Errorf("the request in flight at SIGTERM got %s: %s", res.Status, b)
		}
		comments.record(slowBody, reply{Status: res.StatusCode}, out.CommentID, nil)
	}

	select {
	case <-srv.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit within 30 s of SIGTERM\n%s", srv.LogTail())
	}
	exited := time.Since(sigterm)
	if srv.ExitErr() != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", srv.ExitErr(), srv.LogTail())
	}
	close(stop)
	wg.Wait()

	acked, ackedAfter, errs, other := 0, 0, 0, 0
	for _, w := range writes {
		switch {
		case w.err != nil:
			errs++
		case w.r.Status/100 == 2:
			acked++
			if w.sent.Add(w.r.Latency).After(sigterm) {
				ackedAfter++
			}
		default:
			other++
			t.Errorf("%s during shutdown got %d: %s", w.kind, w.r.Status, w.r.Body)
		}
	}
	codes := map[int]int{}
	for i, c := range live {
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			t.Errorf("socket %d still open after the server exited", i)
			continue
		}
		c.mu.Lock()
		codes[c.closeCode]++
		if c.closeCode != websocket.CloseGoingAway {
			t.Errorf("socket %d: want close frame %d, reading ended with %v", i, websocket.CloseGoingAway, c.err)
		}
		c.mu.Unlock()
	}
	t.Logf("SIGTERM to exit %s; writes: %d acknowledged (%d of them answered after SIGTERM), %d unanswered, %d refused; close codes %v",
		exited.Round(time.Millisecond), acked, ackedAfter, errs, other, codes)
	verifyStored(t, db, comments, supports)
}
