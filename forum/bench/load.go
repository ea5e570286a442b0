package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/e-people/e-people/forum/e2e"
)

// result is one workload's measurement; its JSON is one line of `bench -json`.
type result struct {
	Workload     string  `json:"workload"`
	RequestsPerS float64 `json:"requests_per_s"` // successful requests (fanout: deliveries) a second
	P50          float64 `json:"p50_ms"`
	P90          float64 `json:"p90_ms"`
	P99          float64 `json:"p99_ms"`
	Errors       int64   `json:"errors"`
	PeakRSSMB    float64 `json:"peak_rss_mb"` // the server's VmHWM in MiB; 0 with -url
	Requests     int64   `json:"requests"`    // successful requests (fanout: deliveries)
	Seconds      float64 `json:"seconds"`     // how long the measured part took
	IdleRSSMB    float64 `json:"idle_rss_mb"` // the server's VmRSS before the workload; 0 with -url
	CPUSeconds   float64 `json:"cpu_s"`       // CPU time the server used during the workload; 0 with -url
	PerCPUS      float64 `json:"per_cpu_s"`   // successful requests (fanout: deliveries) per CPU-second of the server; 0 with -url
	Sockets      int     `json:"sockets,omitempty"`
	Events       int     `json:"events,omitempty"`
	firstErr     string
}

// resultJSON is res as one line of JSON, figures rounded to 0.01.
func resultJSON(res *result) ([]byte, error) {
	r := *res
	for _, f := range []*float64{&r.RequestsPerS, &r.P50, &r.P90, &r.P99, &r.PeakRSSMB, &r.Seconds, &r.IdleRSSMB, &r.CPUSeconds, &r.PerCPUS} {
		*f = math.Round(*f*100) / 100
	}
	return json.Marshal(r)
}

// tally gathers the outcome of many timed calls.
type tally struct {
	mu      sync.Mutex
	lat     []time.Duration // successful calls only
	errors  int64
	first   error
	elapsed time.Duration
}

func (t *tally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errors++
	if t.first == nil {
		t.first = err
	}
}

// measure turns the tally into a workload's figures, with nearest-rank percentiles.
func (t *tally) measure(workload string) *result {
	slices.Sort(t.lat)
	ms := func(q float64) float64 { return float64(e2e.Percentile(t.lat, q)) / float64(time.Millisecond) }
	r := &result{Workload: workload, Requests: int64(len(t.lat)), Errors: t.errors, Seconds: t.elapsed.Seconds(),
		P50: ms(0.50), P90: ms(0.90), P99: ms(0.99)}
	if t.elapsed > 0 {
		r.RequestsPerS = float64(len(t.lat)) / t.elapsed.Seconds()
	}
	if t.first != nil {
		r.firstErr = t.first.Error()
	}
	return r
}

// load calls do from c workers, each as soon as its last call returned,
// until d has passed, ctx ends or maxRequests calls were made. Calls in
// flight at the deadline finish and count.
func load(ctx context.Context, c int, d time.Duration, do func(worker, i int) error) *tally {
	t := &tally{}
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	perWorker := maxRequests / c
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			for i := 0; i < perWorker && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				if err := do(w, i); err != nil {
					t.fail(err)
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			t.mu.Lock()
			t.lat = append(t.lat, lat...)
			t.mu.Unlock()
		}()
	}
	wg.Wait()
	t.elapsed = time.Since(start)
	return t
}

// requestTimeout bounds one request of a workload.
const requestTimeout = 30 * time.Second

// send sends req, reads the whole answer and refuses any status but want.
func send(client *http.Client, req *http.Request, want int) (*http.Response, []byte, error) {
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: read: %w", req.Method, req.URL.Path, err)
	}
	if res.StatusCode != want {
		return nil, nil, fmt.Errorf("%s %s: %s, want %d", req.Method, req.URL.RequestURI(), res.Status, want)
	}
	return res, body, nil
}

// get fetches a page uncompressed, as u when u is not nil.
func get(ctx context.Context, client *http.Client, rawURL string, u *e2e.Account) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", err
	}
	if u != nil {
		req.AddCookie(u.Cookie())
	}
	_, body, err := send(client, req, http.StatusOK)
	return string(body), err
}

// pageRequest is a browser's GET of path: HTML, Korean, gzip.
func pageRequest(base, path string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	req.Header.Set("Accept-Language", "ko-KR,ko;q=0.9,en;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip")
	return req, nil
}

// searchQueries are what the search workload asks, in turn: Korean,
// English and Chinese, short and long, matching much, little and nothing.
var searchQueries = []string{
	"연금", "국민연금 개혁", "정책", "보험료율", "대중교통", "자동조정장치 도입", "청년 주거",
	"pension", "public transit", "policy reform", "政府", "年金改革", "交通政策", "기후 climate",
}

var commentIDRe = regexp.MustCompile(`id="c[0-9]+"`)

// runWorkload checks that the forum is ready for workload w, then runs and
// measures it, with the CPU time the server spent meanwhile: requests per
// CPU-second compare across machines and across a busy and a quiet one, where
// requests per second do not.
func runWorkload(ctx context.Context, o *options, fx *fixture, w string) (*result, error) {
	cpu0, err := fx.cpu()
	if err != nil {
		return nil, err
	}
	var profiled chan error
	if o.profile != "" && fx.debug != "" {
		profiled = make(chan error, 1)
		go func() { profiled <- fx.cpuProfile(ctx, filepath.Join(o.profile, w+".pprof"), o.duration) }()
	}
	res, err := measureWorkload(ctx, o, fx, w)
	if profiled != nil {
		err = errors.Join(err, <-profiled)
	}
	if err != nil {
		return nil, err
	}
	if res.CPUSeconds == 0 { // fanout measures its own, before it stops the server
		cpu1, err := fx.cpu()
		if err != nil {
			return nil, err
		}
		res.CPUSeconds = (cpu1 - cpu0).Seconds()
	}
	if res.CPUSeconds > 0 {
		res.PerCPUS = float64(res.Requests) / res.CPUSeconds
	}
	return res, nil
}

// measureWorkload runs workload w and measures it from the clients' side.
func measureWorkload(ctx context.Context, o *options, fx *fixture, w string) (*result, error) {
	idle, err := fx.memory()
	if err != nil {
		return nil, err
	}
	if w == "fanout" {
		return fanout(ctx, fx, o.sockets, o.duration, idle)
	}
	client := e2e.NewClient(nil, o.conns, requestTimeout)
	defer client.CloseIdleConnections()
	var do func(worker, i int) error
	switch w {
	case "read-thread":
		page, err := get(ctx, client, fmt.Sprintf("%s/proposals/%d", fx.base(0), fx.threadID), nil)
		if err != nil {
			return nil, err
		}
		// The page opens with the first screenful of the seeded 1,000
		// comments and links to the next.
		n := len(commentIDRe.FindAllString(page, -1))
		if fx.server != nil && (n < 50 || !strings.Contains(page, `rel="next"`)) {
			return nil, fmt.Errorf("proposal %d shows %d comments and no next page, not the first page of the seeded 1,000", fx.threadID, n)
		}
		path := fmt.Sprintf("/proposals/%d", fx.threadID)
		do = func(worker, _ int) error {
			req, err := pageRequest(fx.base(worker), path)
			if err != nil {
				return err
			}
			_, _, err = send(client, req, http.StatusOK)
			return err
		}
	case "search":
		page, err := get(ctx, client, fx.base(0)+"/search?q="+url.QueryEscape(searchQueries[0]), nil)
		if err != nil {
			return nil, err
		}
		if !strings.Contains(page, "search-results") {
			return nil, fmt.Errorf("a search for %q found nothing", searchQueries[0])
		}
		do = func(worker, i int) error {
			req, err := pageRequest(fx.base(worker), "/search?q="+url.QueryEscape(searchQueries[(worker+i*o.conns)%len(searchQueries)]))
			if err != nil {
				return err
			}
			_, _, err = send(client, req, http.StatusOK)
			return err
		}
	case "post-comment":
		if err := checkSession(ctx, client, fx); err != nil {
			return nil, err
		}
		do = postComment(client, o, fx)
	case "support":
		if err := checkSession(ctx, client, fx); err != nil {
			return nil, err
		}
		pairs := len(fx.users) * len(fx.proposals)
		if pairs < o.conns {
			return nil, fmt.Errorf("%d citizens × %d open proposals give fewer (citizen, proposal) pairs than -c %d connections; raise -users", len(fx.users), len(fx.proposals), o.conns)
		}
		do = support(client, o, fx, pairs)
	default:
		return nil, fmt.Errorf("unknown workload %q", w)
	}
	res := load(ctx, o.conns, o.duration, do).measure(w)
	res.IdleRSSMB = idle
	if res.PeakRSSMB, err = fx.peakMemory(); err != nil {
		return nil, err
	}
	return res, ctx.Err()
}

// memory is the server's resident set now, in MiB; 0 when it is not bench's child.
func (fx *fixture) memory() (float64, error) {
	if fx.server == nil {
		return 0, nil
	}
	rss, _, err := fx.server.Memory()
	return float64(rss) / 1024, err
}

// cpuProfile asks the server for a CPU profile of the next d (at least a
// second) and writes it to path.
func (fx *fixture) cpuProfile(ctx context.Context, path string, d time.Duration) error {
	secs := max(1, int(d/time.Second))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", fx.debug, secs), nil)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: d + time.Minute}
	_, body, err := send(client, req, http.StatusOK)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return nil
}

// cpu is the CPU time the server has used so far; 0 when it is not bench's child.
func (fx *fixture) cpu() (time.Duration, error) {
	if fx.server == nil {
		return 0, nil
	}
	return fx.server.CPU()
}

// peakMemory is the server's peak resident set so far, in MiB; 0 when it is not bench's child.
func (fx *fixture) peakMemory() (float64, error) {
	if fx.server == nil {
		return 0, nil
	}
	_, peak, err := fx.server.Memory()
	return float64(peak) / 1024, err
}

// checkSession makes sure the server takes bench's session cookies: a
// signed-out visitor is sent from /notifications to the sign-in page.
func checkSession(ctx context.Context, client *http.Client, fx *fixture) error {
	if len(fx.users) == 0 {
		return errors.New("no signed-in citizens")
	}
	for _, base := range fx.bases {
		if _, err := get(ctx, client, base+"/notifications", &fx.users[0]); err != nil {
			return fmt.Errorf("the server at %s does not take bench's session cookie (has forum/web's session scheme changed?): %w", base, err)
		}
	}
	return nil
}

// postComment posts comments to the 1,000-comment proposal as its form
// does: worker w's i-th comment comes from citizen (w + i·c) mod users, each
// text different (the content rules refuse a repeat), stances in turn.
func postComment(client *http.Client, o *options, fx *fixture) func(worker, i int) error {
	path := fmt.Sprintf("/proposals/%d/comments", fx.threadID)
	stances := []string{"for", "against", "neutral"}
	return func(worker, i int) error {
		u := fx.users[(worker+i*o.conns)%len(fx.users)]
		form := url.Values{
			"_csrf":  {u.CSRF},
			"stance": {stances[(worker+i)%len(stances)]},
			"body": {fmt.Sprintf("벤치마크 의견 %d-%d: 국민연금 개혁은 세대 간 형평과 노후 소득 보장을 함께 살펴야 합니다. "+
				"A benchmark comment. 基準測試留言。", worker, i)},
		}
		req, err := http.NewRequest(http.MethodPost, fx.base(worker)+path, strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		req.Header.Set("Accept-Language", "ko-KR,ko;q=0.9")
		req.AddCookie(u.Cookie())
		res, _, err := send(client, req, http.StatusSeeOther)
		if err != nil {
			return err
		}
		if loc := res.Header.Get("Location"); !strings.Contains(loc, "#c") {
			return fmt.Errorf("POST %s: redirected to %q, not to the new comment", req.URL.Path, loc)
		}
		return nil
	}
}

// support toggles supports as live.js does (JSON, X-CSRF-Token). Every
// (citizen, open proposal) pair belongs to one worker, which flips it each
// time it comes round, so every request is a change and no two workers race.
func support(client *http.Client, o *options, fx *fixture, pairs int) func(worker, i int) error {
	owned := make([][]int, o.conns)
	for p := range pairs {
		owned[p%o.conns] = append(owned[p%o.conns], p)
	}
	on := make([][]bool, o.conns)      // on[w][k]: pair owned[w][k] is supported
	steps := make([][]string, o.conns) // steps[w][k]: the support step's confirmation for pair owned[w][k] (objection.go)
	for w := range on {
		on[w] = make([]bool, len(owned[w]))
		steps[w] = make([]string, len(owned[w]))
	}
	return func(worker, i int) error {
		k := i % len(owned[worker])
		p := owned[worker][k]
		u, id := fx.users[p%len(fx.users)], fx.proposals[p/len(fx.users)]
		want := !on[worker][k]
		verb := "unsupport"
		if want {
			verb = "support"
		}
		var body []byte
		var err error
		if want {
			body, err = postSupport(client, fx.base(worker), id, &u, &steps[worker][k])
		} else {
			var req *http.Request
			if req, err = http.NewRequest(http.MethodPost, fmt.Sprintf("%s/proposals/%d/%s", fx.base(worker), id, verb), nil); err != nil {
				return err
			}
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-CSRF-Token", u.CSRF)
			req.AddCookie(u.Cookie())
			_, body, err = send(client, req, http.StatusOK)
		}
		if err != nil {
			return err
		}
		var got struct {
			Supported bool `json:"supported"`
			Supports  int  `json:"supports"`
		}
		if err := json.Unmarshal(body, &got); err != nil || got.Supported != want {
			return fmt.Errorf("POST /proposals/%d/%s: answer %q does not confirm it", id, verb, body)
		}
		on[worker][k] = want
		return nil
	}
}
