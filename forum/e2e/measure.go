package e2e

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
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

// clockTicks is the unit of the CPU times in /proc/PID/stat (USER_HZ), 100 on
// every Linux architecture Go runs on.
const clockTicks = 100

// ProcessCPU reads the CPU time process pid has used so far, user and
// system together, from /proc/PID/stat.
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: %w", pid, err)
	}
	// The command name, field 2, is in parentheses and may hold spaces: count fields after its last ')'.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("read the CPU time of process %d: unexpected /proc/%d/stat", pid, pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: unexpected /proc/%d/stat", pid, pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}
