package e2e

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
)

// Percentile is the nearest-rank p-quantile (0 < p ≤ 1) of sorted, which is
// in ascending order: the smallest sample that at least a share p of all
// samples do not exceed. It is the zero value when sorted is empty.
func Percentile[T cmp.Ordered](sorted []T, p float64) T {
	if len(sorted) == 0 {
		var zero T
		return zero
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

var procStatusRe = regexp.MustCompile(`(?m)^(VmRSS|VmHWM):\s+(\d+) kB`)

// ProcessMemory reads the resident set (VmRSS) and its peak (VmHWM) of
// process pid from /proc, in KiB.
func ProcessMemory(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the memory of process %d: %w", pid, err)
	}
	for _, m := range procStatusRe.FindAllSubmatch(b, -1) {
		kib, _ := strconv.ParseInt(string(m[2]), 10, 64)
		if string(m[1]) == "VmRSS" {
			rss = kib
		} else {
			peak = kib
		}
	}
	if rss == 0 || peak == 0 {
		return 0, 0, fmt.Errorf("read the memory of process %d: no VmRSS or VmHWM in its status", pid)
	}
	return rss, peak, nil
}
