package bench

import (
	"testing"
	"time"
)

// TestTally_Measure checks the nearest-rank percentiles and the rate.
func TestTally_Measure(t *testing.T) {
	tl := &tally{elapsed: 2 * time.Second, errors: 3}
	for i := 100; i >= 1; i-- {
		tl.lat = append(tl.lat, time.Duration(i)*time.Millisecond)
	}
	r := tl.measure("x")
	if r.P50 != 50 || r.P90 != 90 || r.P99 != 99 || r.Requests != 100 || r.RequestsPerS != 50 || r.Errors != 3 {
		t.Fatalf("got p50 %v p90 %v p99 %v, %d requests at %v/s, %d errors; want 50 90 99, 100 at 50/s, 3",
			r.P50, r.P90, r.P99, r.Requests, r.RequestsPerS, r.Errors)
	}
	if r := (&tally{}).measure("empty"); r.P99 != 0 || r.RequestsPerS != 0 {
		t.Fatalf("an empty tally reports %+v", r)
	}
}
