/*
 * util.h - small helpers shared by the library modules: growable arrays,
 * memory for huge pages, a monotonic clock, sorting and UTF-8 encoding. Nothing here allocates behind the caller's back
 * except grow(), which reports failure instead of aborting.
 */
#ifndef RP_UTIL_H
#define RP_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Ensures *p (an array of elem-byte items with capacity *cap) holds at
 * least need items, doubling as it goes. @return 0, or -1 when out of
 * memory or the size would overflow (then *p and *cap are unchanged). */
int rp_grow(void *p, size_t *cap, size_t need, size_t elem);

/* The size of a transparent huge page on x86-64 and most arm64 systems. */
#define RP_HUGE_PAGE ((size_t)2 << 20)

/* Asks the system to back the whole RP_HUGE_PAGE-aligned pages inside
 * [p, p + n) with transparent huge pages when they are first touched: one
 * page fault for 2 MiB instead of 512 (about 30 us each on a virtual
 * machine). A hint for long-lived arrays that are filled from end to end;
 * where the system has no such pages, or they are off, nothing changes. */
void rp_advise_huge(void *p, size_t n);

/* Maps n zeroed bytes (rounded up to whole 4 KiB pages), from a huge page
 * boundary on and marked as rp_advise_huge does when n is 2 MiB or more.
 * Free with munmap(p, n), or any page-aligned part of it on its own.
 * @return the memory, or NULL. */
void *rp_map_huge(size_t n);

/* @return seconds on a monotonic clock. */
double rp_now(void);

/* Sorts n 64-bit keys ascending in place: LSD radix sort for large n,
 * falling back to qsort when the scratch buffer cannot be had. */
void rp_sort_u64(uint64_t *keys, size_t n);

/* Sorts n keys of the form (k << 32 | i) whose low halves i ascend, as
 * (band key, document) pairs are made: by k only, keeping the input
 * order of keys with one k, so that the result is the same as
 * rp_sort_u64's, in at most 4 radix passes instead of up to 8. Keys whose low
 * halves do not ascend come out ordered by k only. */
void rp_sort_hi32(uint64_t *keys, size_t n);

/* Removes adjacent repeats from a sorted array. @return the new length. */
size_t rp_unique_u64(uint64_t *keys, size_t n);

/* Removes repeats from an unsorted array, keeping the first of each in
 * its place in the order, with a hash table on the keys' top bits (made
 * for uniform hashes; 16 to 32 bytes a key while it runs).
 * @return the new length, or (size_t)-1 when out of memory (keys are
 *         then unchanged). */
size_t rp_dedup_u64(uint64_t *keys, size_t n);

/* Writes code point cp (at most 0x10FFFF) as 1 to 4 bytes of UTF-8 at o.
 * @return the number of bytes written. */
size_t rp_utf8_put(char *o, uint32_t cp);

#endif
