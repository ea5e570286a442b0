package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Fan-out measurement parameters.
const (
	fanoutEvents       = 20               // support/unsupport events published per run
	fanoutDialParallel = 50               // concurrent websocket handshakes
	fanoutConnectLimit = 90 * time.Second // all sockets must be open within this
	fanoutEventWait    = 5 * time.Second  // longest wait for one event to reach every client
)

// TestFanout measures the live channel against the real binary: server memory
// per idle socket and the delay from a POST to every subscriber having the
// event. It runs only when EPEOPLE_FANOUT lists socket counts.
func TestFanout(t *testing.T) {
	spec := os.Getenv("EPEOPLE_FANOUT")
	if spec == "" {
		t.Skip("live fan-out measurement; run with EPEOPLE_FANOUT=1000,10000 go test -tags sqlite_fts5 -run TestFanout -count=1 -v -timeout 15m ./forum/e2e/")
	}
	var counts []int
	for _, f := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("EPEOPLE_FANOUT: bad socket count %q", f)
		}
		counts = append(counts, n)
	}
	if err := RaiseFileLimit(uint64(slices.Max(counts)) + 200); err != nil {
		t.Fatalf("%d sockets: %v", slices.Max(counts), err)
	}
	for _, n := range counts {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) { fanoutRun(t, n) })
	}
}

// rssKiB reads the resident set of pid, in KiB.
func rssKiB(t *testing.T, pid int) int64 {
	t.Helper()
	rss, _, err := ProcessMemory(pid)
	if err != nil {
		t.Fatal(err)
	}
	return rss
}

// proposalRe finds the proposals a list page links to.
var proposalRe = regexp.MustCompile(`href="/proposals/(\d+)"`)

// fanoutPost sends a support or unsupport and returns the proposal's
// support count from the JSON answer.
func fanoutPost(v *visitor, path string) (int, error) {
	var r reply
	var err error
	if id, ok := strings.CutSuffix(strings.TrimPrefix(path, "/proposals/"), "/support"); ok {
		n, _ := strconv.ParseInt(id, 10, 64)
		r, err = v.setSupport(n, true) // confirms the support step, if the proposal has one
	} else {
		r, err = v.post(path, nil)
	}
	if err != nil {
		return 0, err
	}
	if r.Status != http.StatusOK {
		return 0, fmt.Errorf("POST %s: %d %s", path, r.Status, bytes.TrimSpace(r.Body))
	}
	var out struct {
		Supports int `json:"supports"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		return 0, fmt.Errorf("POST %s: %v in %q", path, err, r.Body)
	}
	return out.Supports, nil
}

// fanoutClient is one subscriber; got[k] is when it received the k-th
// proposal.supported event, in nanoseconds since the run's epoch.
type fanoutClient struct {
	ws     *websocket.Conn
	got    [fanoutEvents]int64
	ids    [fanoutEvents]int64
	n      int
	badID  bool  // an id out of order or different from the other clients'
	readEr error // why the reader stopped before we closed it
}

func fanoutRun(t *testing.T, n int) {
	srv := startServer(t, copyDemo(t, ""), "-live-per-ip", "20000")
	pid := srv.PID()

	sess := newVisitor(t, srv.Base, demoTemplate(t).accounts[0], LoopbackIP(0), 15*time.Second)
	res, err := sess.get("/proposals")
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("GET /proposals: %v %d", err, res.Status)
	}
	list := string(res.Body)
	// The first listed proposal that takes supports; unsupporting it first
	// makes every timed request a change, hence an event.
	var pid0 int64
	var lastErr error
	for _, m := range proposalRe.FindAllStringSubmatch(list, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if _, err := fanoutPost(sess, fmt.Sprintf("/proposals/%d/unsupport", id)); err != nil {
			lastErr = err
			continue
		}
		pid0 = id
		break
	}
	if pid0 == 0 {
		t.Fatalf("no open proposal on /proposals: %v", lastErr)
	}
	// Read its support step before the clock runs, so every timed support is one request.
	if _, err := sess.supportStep(pid0); err != nil {
		t.Fatal(err)
	}

	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	rss0 := rssKiB(t, pid)

	epoch := time.Now()
	clients := make([]*fanoutClient, n)
	var received [fanoutEvents]atomic.Int64
	var eventID [fanoutEvents]atomic.Int64
	var closing atomic.Bool
	var disconnected atomic.Int64
	var readers sync.WaitGroup

	dialer := websocket.Dialer{ReadBufferSize: 256, WriteBufferSize: 256, HandshakeTimeout: 10 * time.Second}
	hdr := http.Header{"Origin": {srv.Base}}
	wsURL := fmt.Sprintf("ws%s/live?topics=proposal:%d&since=0", strings.TrimPrefix(srv.Base, "http"), pid0)

	read := func(c *fanoutClient) {
		defer readers.Done()
		var msg struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		}
		for {
			_, b, err := c.ws.ReadMessage()
			at := time.Since(epoch).Nanoseconds()
			if err != nil {
				if !closing.Load() {
					c.readEr = err
					disconnected.Add(1)
				}
				return
			}
			msg.Type = ""
			if json.Unmarshal(b, &msg) != nil || msg.Type != "proposal.supported" {
				continue
			}
			k := c.n
			if k >= fanoutEvents || (k > 0 && msg.ID <= c.ids[k-1]) {
				c.badID = true
				continue
			}
			if !eventID[k].CompareAndSwap(0, msg.ID) && eventID[k].Load() != msg.ID {
				c.badID = true
			}
			c.got[k], c.ids[k] = at, msg.ID
			c.n++
			received[k].Add(1)
		}
	}
	closeAll := func() {
		closing.Store(true)
		for _, c := range clients {
			if c != nil {
				_ = c.ws.Close()
			}
		}
		readers.Wait()
	}
	defer func() {
		if !closing.Load() {
			closeAll()
		}
	}()

	start := time.Now()
	deadline := start.Add(fanoutConnectLimit)
	var next atomic.Int64
	var dialErr atomic.Value
	var dialers sync.WaitGroup
	for range fanoutDialParallel {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || dialErr.Load() != nil {
					return
				}
				if time.Now().After(deadline) {
					dialErr.CompareAndSwap(nil, fmt.Errorf("only %d of %d sockets open after %s", i, n, fanoutConnectLimit))
					return
				}
				ws, res, err := dialer.Dial(wsURL, hdr)
				if err != nil {
					if res != nil {
						err = fmt.Errorf("%w (HTTP %s)", err, res.Status)
					}
					dialErr.CompareAndSwap(nil, fmt.Errorf("socket %d: %w", i, err))
					return
				}
				c := &fanoutClient{ws: ws}
				clients[i] = c
				readers.Add(1)
				go read(c)
			}
		}()
	}
	dialers.Wait()
	connect := time.Since(start)
	if err, _ := dialErr.Load().(error); err != nil {
		t.Fatalf("connecting %d sockets: %v\nserver log tail:\n%s", n, err, srv.LogTail())
	}
	time.Sleep(2 * time.Second) // let both sides settle idle
	rss1 := rssKiB(t, pid)
	runtime.GC()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	if d := disconnected.Load(); d > 0 {
		t.Fatalf("%d of %d sockets closed while idle", d, n)
	}

	// Publish: support, unsupport, … each once every client has the last
	// event (or fanoutEventWait passed).
	var sent [fanoutEvents]int64
	var postRTT []time.Duration
	supports := -1
	for k := range fanoutEvents {
		path := fmt.Sprintf("/proposals/%d/support", pid0)
		if k%2 == 1 {
			path = fmt.Sprintf("/proposals/%d/unsupport", pid0)
		}
		sent[k] = time.Since(epoch).Nanoseconds()
		cnt, err := fanoutPost(sess, path)
		postRTT = append(postRTT, time.Duration(time.Since(epoch).Nanoseconds()-sent[k]))
		if err != nil {
			t.Fatalf("event %d: %v", k, err)
		}
		if cnt == supports {
			t.Fatalf("event %d: %s left the support count at %d: no event", k, path, cnt)
		}
		supports = cnt
		until := time.Now().Add(fanoutEventWait)
		for received[k].Load() < int64(n) && time.Now().Before(until) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // stragglers of the last event
	disc := disconnected.Load()
	closeAll()

	var delays []float64 // ms, every (event, client) pair received
	lastByEvent := make([]float64, 0, fanoutEvents)
	missed, mismatched := 0, 0
	var firstErr error
	for k := range fanoutEvents {
		last := 0.0
		for _, c := range clients {
			if k < c.n {
				d := float64(c.got[k]-sent[k]) / 1e6
				delays = append(delays, d)
				last = max(last, d)
			}
		}
		lastByEvent = append(lastByEvent, last)
	}
	for _, c := range clients {
		if c.n < fanoutEvents || c.badID || c.readEr != nil {
			missed++
		}
		if c.badID {
			mismatched++
		}
		if c.readEr != nil && firstErr == nil {
			firstErr = c.readEr
		}
	}
	slices.Sort(delays)
	slices.Sort(lastByEvent)
	slices.Sort(postRTT)
	pct := func(p float64) float64 { return Percentile(delays, p) }
	rssPer := float64(rss1-rss0) / float64(n)
	heapPer := float64(int64(ms1.HeapInuse+ms1.StackInuse)-int64(ms0.HeapInuse+ms0.StackInuse)) / 1024 / float64(n)

	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	t.Logf("server holds %d descriptors when sent SIGTERM, right after the clients closed", len(fds))
	stopServer(t, srv)
	errLines := srv.LogCount("level=ERROR")

	t.Logf("server RSS %d KiB before, %d KiB with %d idle sockets; test process heap+stacks %.1f KiB per client; "+
		"POST round trip median %s; %d client(s) with wrong event ids, %d disconnected (first: %v); server log ERROR lines: %d",
		rss0, rss1, n, heapPer, Percentile(postRTT, 0.5).Round(10*time.Microsecond), mismatched, disc, firstErr, errLines)
	t.Logf("fanout N=%d: connect %.1fs, rss/idle socket %.1f KiB, event p50 %.1f ms p99 %.1f ms max %.1f ms, last-client median %.1f ms, missed %d",
		n, connect.Seconds(), rssPer, pct(0.50), pct(0.99), pct(1), Percentile(lastByEvent, 0.5), missed)
	if missed != 0 {
		t.Errorf("%d of %d clients missed an event or were disconnected\nserver log tail:\n%s", missed, n, srv.LogTail())
	}
}
