// Package metrics exports the forum's numbers in the Prometheus text format,
// for the operators' listener: requests by route, the group commit, the live
// sockets, the thread cache, the mail outbox, the scheduler, and Go's
// runtime and the process. It imports nothing of the forum's: the server
// and the store hand it plain numbers, through ObserveRequest and
// ObserveCommit as things happen and through Sources when scraped.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sources are the numbers read when the metrics are scraped. A nil
// function leaves its metrics out.
type Sources struct {
	LiveSockets  func() int                              // open live sockets
	LiveHub      func() (subscribers int, dropped int64) // the hub's subscribers, and the slow ones it dropped since start
	ThreadCache  func() ThreadCache                      // the comment thread cache's counters
	OutboxDepth  func(context.Context) (int, error)      // mails waiting to be sent; read at most every OutboxEvery
	SchedulerLag func() time.Duration                    // how late the scheduler last ran a due transition
	Leading      func() bool                             // whether this node leads: runs the scheduler, the mailer and retention
}

// ThreadCache counts the comment thread cache's hits and misses since start.
type ThreadCache struct {
	ThreadHits, ThreadMisses     int64 // a subject's comments from the cache, or read from the database
	FragmentHits, FragmentMisses int64 // a comment's HTML reused, or drawn by its template
	PageHits, PageMisses         int64 // a guest's page of comments reused whole, or drawn from fragments
}

// OutboxEvery is how long one count of the outbox serves scrapes, so that
// frequent scrapes do not query the database each time.
const OutboxEvery = 5 * time.Second

// Metrics holds the forum's metrics and serves them.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	commitBatch prometheus.Histogram
	commitTook  prometheus.Histogram
	codes       [600]string // "0" to "599", so that a request's label costs no allocation
}

// New registers every metric, reading srcs at scrape time.
func New(srcs Sources) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	for i := range m.codes {
		m.codes[i] = strconv.Itoa(i)
	}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "epeople_http_requests_total",
		Help: "HTTP requests answered, by method, route pattern (\"unmatched\" for none) and status code.",
	}, []string{"method", "route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "epeople_http_request_duration_seconds",
		Help:    "Time from a request's arrival to its response drawn, by method, route pattern and status class (2xx, 4xx, ...).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})
	m.commitBatch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "epeople_store_commit_batch_writes",
		Help:    "Writes in one group-commit transaction (one fsync).",
		Buckets: prometheus.ExponentialBuckets(1, 2, 9), // 1 to 256, the largest batch
	})
	m.commitTook = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "epeople_store_commit_duration_seconds",
		Help:    "Time of one group-commit transaction, from BEGIN (waiting for the write lock included) to the end of COMMIT (its fsync included).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
	})
	m.reg.MustRegister(m.requests, m.latency, m.commitBatch, m.commitTook,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if f := srcs.LiveSockets; f != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "epeople_live_sockets_open", Help: "Live (websocket) connections open.",
		}, func() float64 { return float64(f()) }))
	}
	if f := srcs.LiveHub; f != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "epeople_live_subscribers", Help: "Subscribers of the live hub.",
		}, func() float64 { n, _ := f(); return float64(n) }))
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "epeople_live_subscribers_dropped_total", Help: "Live subscribers dropped for falling behind.",
		}, func() float64 { _, d := f(); return float64(d) }))
	}
	if f := srcs.ThreadCache; f != nil {
		for _, c := range []struct {
			level, result string
			read          func(ThreadCache) int64
		}{
			{"thread", "hit", func(t ThreadCache) int64 { return t.ThreadHits }},
			{"thread", "miss", func(t ThreadCache) int64 { return t.ThreadMisses }},
			{"fragment", "hit", func(t ThreadCache) int64 { return t.FragmentHits }},
			{"fragment", "miss", func(t ThreadCache) int64 { return t.FragmentMisses }},
			{"page", "hit", func(t ThreadCache) int64 { return t.PageHits }},
			{"page", "miss", func(t ThreadCache) int64 { return t.PageMisses }},
		} {
			m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name:        "epeople_thread_cache_lookups_total",
				Help:        "Lookups in the comment thread cache: a subject's comments (thread), one comment's HTML (fragment) or a guest's page of comments (page), found (hit) or not (miss).",
				ConstLabels: prometheus.Labels{"level": c.level, "result": c.result},
			}, func() float64 { return float64(c.read(f())) }))
		}
	}
	if f := srcs.OutboxDepth; f != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "epeople_mail_outbox_depth", Help: "Mails waiting to be sent (unsent, not given up on); counted at most every 5 s.",
		}, cached(f, OutboxEvery)))
	}
	if f := srcs.SchedulerLag; f != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "epeople_scheduler_lag_seconds", Help: "How late the scheduler last applied a due transition (a debate opening or closing, a support window ending).",
		}, func() float64 { return f().Seconds() }))
	}
	if f := srcs.Leading; f != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "epeople_leader", Help: "1 while this node leads (runs the scheduler, the mailer and retention), 0 otherwise: one node of a cluster at a time.",
		}, func() float64 {
			if f() {
				return 1
			}
			return 0
		}))
	}
	return m
}

// cached returns a gauge's function that calls count at most every every,
// and keeps the last count when one fails.
func cached(count func(context.Context) (int, error), every time.Duration) func() float64 {
	var mu sync.Mutex
	var last float64
	var at time.Time
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		if !at.IsZero() && time.Since(at) < every {
			return last
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if n, err := count(ctx); err == nil {
			last, at = float64(n), time.Now()
		}
		return last
	}
}

// ObserveRequest counts one answered request and its duration. route must
// be a route's pattern, never a URL, so that the series stay few.
func (m *Metrics) ObserveRequest(method, route string, code int, took time.Duration) {
	label := "other"
	if code >= 0 && code < len(m.codes) {
		label = m.codes[code]
	}
	m.requests.WithLabelValues(method, route, label).Inc()
	m.latency.WithLabelValues(method, route, statusClass(code)).Observe(took.Seconds())
}

// statusClass is a status code's class: "2xx" for 200 to 299, and so on.
func statusClass(code int) string {
	switch code / 100 {
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return "other"
}

// ObserveCommit records one group-commit transaction: its writes and time.
func (m *Metrics) ObserveCommit(batch int, took time.Duration) {
	m.commitBatch.Observe(float64(batch))
	m.commitTook.Observe(took.Seconds())
}

// Handler serves the metrics in the Prometheus text format (or
// OpenMetrics, when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
