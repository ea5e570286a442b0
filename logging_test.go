package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writes records every Write it is given.
type writes struct{ got []string }

func (w *writes) Write(p []byte) (int, error) { w.got = append(w.got, string(p)); return len(p), nil }

// TestLineBuffer_WholeLines passes lines on in order, only whole ones,
// holding them until it is full or flushed, and a line longer than the
// buffer on its own.
func TestLineBuffer_WholeLines(t *testing.T) {
	w := &writes{}
	b := &lineBuffer{w: w, buf: make([]byte, 0, 64)}
	var want strings.Builder
	for _, line := range []string{strings.Repeat("a", 30) + "\n", strings.Repeat("b", 30) + "\n", "c\n", strings.Repeat("d", 100) + "\n", "e\n"} {
		if _, err := b.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		want.WriteString(line)
	}
	if len(w.got) != 2 { // a, b and c (64 bytes: full) when d came, then d alone; e kept
		t.Fatalf("writes before the flush: %q", w.got)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.got, ""); got != want.String() || len(w.got) != 3 {
		t.Fatalf("passed on %q, want %q", got, want.String())
	}
	for _, p := range w.got {
		if !strings.HasSuffix(p, "\n") {
			t.Errorf("a write ends mid-line: %q", p)
		}
	}
}

// TestNewLogger_FormatsAndLevels writes JSON or text at the level asked.
func TestNewLogger_FormatsAndLevels(t *testing.T) {
	var out bytes.Buffer
	log, err := newLogger(&out, "json", "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("request")
	log.Warn("busy", "n", 1)
	if got := out.String(); !strings.HasPrefix(got, `{"time":`) || !strings.Contains(got, `"msg":"busy","n":1}`) || strings.Contains(got, "request") {
		t.Errorf("json at warn wrote %q", got)
	}
	out.Reset()
	if log, err = newLogger(&out, "text", "debug"); err != nil {
		t.Fatal(err)
	}
	log.Debug("detail")
	if !strings.Contains(out.String(), "level=DEBUG msg=detail") {
		t.Errorf("text at debug wrote %q", out.String())
	}
	for _, bad := range [][2]string{{"xml", "info"}, {"json", "verbose"}, {"JSON", "info"}, {"text", ""}} {
		if _, err := newLogger(io.Discard, bad[0], bad[1]); err == nil {
			t.Errorf("newLogger(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAccessLogLine measures one access log line as the server writes
// it, to a file at once and through a lineBuffer; cpu-ns/op (the process's
// CPU time per line) survives a busy machine better than ns/op.
func BenchmarkAccessLogLine(b *testing.B) {
	for _, bc := range []struct {
		name     string
		buffered bool
	}{{"json-file", false}, {"json-linebuffer-file", true}} {
		b.Run(bc.name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			var w io.Writer = f
			if bc.buffered {
				lb := newLineBuffer(f)
				defer lb.Flush()
				w = lb
			}
			log, _ := newLogger(w, "json", "info")
			ctx := context.Background()
			id := []byte("1a2b3c4d-5f")
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", "GET"), slog.String("route", "/proposals/:id<int>"),
					slog.Int("status", 200), slog.Duration("duration", 1234567*time.Nanosecond), slog.Int("bytes", 52311), slog.String("request_id", string(id)))
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}
