package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// newLogger returns the server's logger, writing to w in format ("text" or
// "json") what is at level ("debug", "info", "warn" or "error") or above.
// The access log is its lines at info.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	switch level {
	case "debug":
		lv = slog.LevelDebug
	case "info":
		lv = slog.LevelInfo
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

// lineBuffer gathers whole log lines (slog writes each record in one Write)
// and passes them on to w together, when it holds 32 KiB or when Flush is
// called (every accessLogFlush while serving, and at shutdown), so that the
// access log costs a busy server no system call per request. A line is
// never split: what reaches w is always whole lines.
type lineBuffer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// accessLogFlush is how long an access log line may wait in its lineBuffer.
const accessLogFlush = 200 * time.Millisecond

func newLineBuffer(w io.Writer) *lineBuffer { return &lineBuffer{w: w, buf: make([]byte, 0, 32<<10)} }

// Write keeps p, a whole line, writing what is kept first when p would not fit.
func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > cap(b.buf) {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(b.buf) {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes what is kept.
func (b *lineBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *lineBuffer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

// flushEvery flushes b every period until ctx ends, and once more then.
func (b *lineBuffer) flushEvery(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = b.Flush()
			return
		case <-t.C:
			_ = b.Flush()
		}
	}
}
