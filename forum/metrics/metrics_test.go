package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestMetrics_Exposition serves what was observed and what the sources
// say, in the text format, under the names the README lists.
func TestMetrics_Exposition(t *testing.T) {
	m := New(Sources{
		LiveSockets: func() int { return 3 },
		LiveHub:     func() (int, int64) { return 5, 2 },
		ThreadCache: func() ThreadCache {
			return ThreadCache{ThreadHits: 10, ThreadMisses: 1, FragmentHits: 400, FragmentMisses: 20, PageHits: 7, PageMisses: 2}
		},
		OutboxDepth:  func(context.Context) (int, error) { return 7, nil },
		SchedulerLag: func() time.Duration { return 1500 * time.Millisecond },
		Leading:      func() bool { return true },
	})
	m.ObserveRequest("GET", "/proposals/:id<int>", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "/proposals/:id<int>", 200, 4*time.Millisecond)
	m.ObserveRequest("POST", "unmatched", 404, time.Millisecond)
	m.ObserveCommit(12, 2*time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`epeople_http_requests_total{code="200",method="GET",route="/proposals/:id<int>"} 2`,
		`epeople_http_requests_total{code="404",method="POST",route="unmatched"} 1`,
		`epeople_http_request_duration_seconds_count{method="GET",route="/proposals/:id<int>",status="2xx"} 2`,
		`epeople_http_request_duration_seconds_bucket{method="POST",route="unmatched",status="4xx",le="0.001"} 1`,
		`epeople_store_commit_batch_writes_bucket{le="16"} 1`,
		`epeople_store_commit_batch_writes_bucket{le="8"} 0`,
		`epeople_store_commit_duration_seconds_count 1`,
		`epeople_live_sockets_open 3`,
		`epeople_live_subscribers 5`,
		`epeople_live_subscribers_dropped_total 2`,
		`epeople_thread_cache_lookups_total{level="fragment",result="miss"} 20`,
		`epeople_thread_cache_lookups_total{level="page",result="hit"} 7`,
		`epeople_thread_cache_lookups_total{level="thread",result="hit"} 10`,
		`epeople_mail_outbox_depth 7`,
		`epeople_scheduler_lag_seconds 1.5`,
		`epeople_leader 1`,
		`go_goroutines `,
		`process_cpu_seconds_total `,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("no %s in\n%s", want, body)
		}
	}
}

// TestCached counts once a period and keeps the last count when one fails.
func TestCached(t *testing.T) {
	calls, fail := 0, false
	count := func(context.Context) (int, error) {
		calls++
		if fail {
			return 0, errors.New("database is busy")
		}
		return 40 + calls, nil
	}
	hourly := cached(count, time.Hour)
	if a, b := hourly(), hourly(); a != 41 || b != 41 || calls != 1 {
		t.Errorf("twice in an hour: %v, %v after %d counts; want 41, 41 after 1", a, b, calls)
	}
	always := cached(count, 0)
	if got := always(); got != 42 {
		t.Errorf("first count = %v, want 42", got)
	}
	fail = true
	if got := always(); got != 42 || calls != 3 {
		t.Errorf("after a failed count: %v (%d counts), want the last, 42", got, calls)
	}
}

// BenchmarkObserveRequest measures what counting one request costs.
func BenchmarkObserveRequest(b *testing.B) {
	m := New(Sources{})
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest("GET", "/proposals/:id<int>", 200, 3*time.Millisecond)
	}
}
