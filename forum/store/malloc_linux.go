//go:build linux && cgo

package store

/*
#include <malloc.h>

// keepFreedMemory stops glibc from handing freed heap back to the kernel as
// soon as 128 KiB sit free at the top of an arena. SQLite empties a reader's
// page cache whenever another connection has committed since its last read,
// so on a busy forum every read frees and refills up to the cache's size;
// trimming that each time costs a madvise and a TLB flush on every CPU, and
// the refill a page fault per page (a fifth of a comment's server CPU).
// Memory freed stays in the arena for the next refill instead; the bound is
// the page caches' own size. musl and other C libraries have no
// M_TRIM_THRESHOLD and are left as they are.
//
// glibc also gives each thread that allocates while another holds the lock
// an arena of its own, up to eight per core, and every arena keeps its own
// free memory: cgo calls run on many threads, so SQLite's page caches were
// spread over a dozen arenas, each holding freed pages the others could not
// reuse. Two arenas are enough for two connections allocating at once on
// this workload, and keep the freed memory in two places.
static void keepFreedMemory(void) {
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 2);
#endif
}
*/
import "C"

func init() { C.keepFreedMemory() }
