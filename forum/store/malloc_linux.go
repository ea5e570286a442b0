//go:build linux && cgo

package store

/*
#include <malloc.h>

// keepFreedMemory stops glibc from handing freed heap back to the kernel as
// soon as 128 KiB sit free at the top of an arena. SQLite empties a reader's
// page cache whenever another connection has committed since its last read,
// so on a busy forum every read frees and refills up to the cache's size
// (2 MiB); trimming that each time costs a madvise and a TLB flush on every
// CPU, and the refill a page fault per page (a fifth of a comment's server
// CPU). Up to 16 MiB freed stays in the arena for the next refill instead.
// musl and other C libraries have no M_TRIM_THRESHOLD and are left as they are.
//
// glibc also gives a thread that allocates while another holds the lock an
// arena of its own, up to eight per core, each keeping its own free memory:
// cgo calls run on many threads, so SQLite's page caches were spread over a
// dozen arenas, each holding freed pages the others could not reuse. One
// arena serves the five connections (they allocate under their own locks,
// rarely at the same moment) and keeps the freed memory in one place: the
// comment workload at 64 connections peaked at 94 MiB RSS against 98-100
// with two arenas and a 64 MiB threshold, at the same CPU per comment.
static void keepFreedMemory(void) {
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 1);
#endif
}
*/
import "C"

func init() { C.keepFreedMemory() }
