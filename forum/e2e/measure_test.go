package e2e

import (
	"os"
	"testing"
	"time"
)

// TestPercentile checks the nearest-rank rule: the p-quantile of 1..100 is
// 100·p, of one sample that sample, and of none the zero value.
func TestPercentile(t *testing.T) {
	var ms []time.Duration
	for i := 1; i <= 100; i++ {
		ms = append(ms, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.01, 1}, {0.5, 50}, {0.9, 90}, {0.99, 99}, {0.999, 100}, {1, 100}} {
		if got := Percentile(ms, tc.p); got != tc.want*time.Millisecond {
			t.Errorf("Percentile(1..100 ms, %v) = %v, want %v ms", tc.p, got, tc.want)
		}
	}
	if got := Percentile([]float64{7}, 0.5); got != 7 {
		t.Errorf("Percentile([7], 0.5) = %v", got)
	}
	if got := Percentile([]float64{1, 2, 3}, 0.5); got != 2 {
		t.Errorf("Percentile([1 2 3], 0.5) = %v, want 2", got)
	}
	if got := Percentile([]time.Duration(nil), 0.99); got != 0 {
		t.Errorf("Percentile(none) = %v", got)
	}
}

// TestProcessMemory reads this test's own resident set.
func TestProcessMemory(t *testing.T) {
	rss, peak, err := ProcessMemory(os.Getpid())
	if err != nil || rss <= 0 || peak < rss {
		t.Fatalf("rss %d KiB, peak %d KiB, %v", rss, peak, err)
	}
}
