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
static void keepFreedMemory(void) {
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}
*/
import "C"

func init() { C.keepFreedMemory() }
