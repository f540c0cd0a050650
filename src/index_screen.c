/*
 * index_screen.c - a screen in memory that rules out chance candidates
 * before their rows are read from SQLite.
 *
 * A band key that many documents share (a common phrase that is some
 * band's least hash) keeps its RP_INDEX_BUCKET_MAX oldest documents, and
 * they come back as candidates of one new document after another: about
 * two candidates a document at 100,000 documents, twenty at a million,
 * nearly all of them far from similar. Reading each one's row to verify
 * it from the samples took most of `index add`'s time at a million.
 *
 * The screen keeps, for every row it has seen (added, or read once for
 * verification), its set size, its sample's size and a 512-bit Bloom
 * filter of its sample values (two bits a value), 72 bytes a row. The
 * number of the new document's sample values that the filter may hold is
 * at least the number the two samples share (a Bloom filter has no false
 * negatives), and the estimate of index_sample.c grows with that number:
 * when even that bound does not make the pair similar, the pair is not
 * similar, and its row need not be read. The answer is the same as
 * without the screen. Rows whose text can be read again (a path) are
 * verified exactly, not from the samples, and are not screened.
 *
 * Rows do not change once written: the screen forgets a row removed here,
 * and everything after a rollback or a removal by another process
 * (ix_keys_sync), when a row number may be given again.
 */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

#define SCREEN_BITS 512

/* The two bits of sample value v (24 uniform bits). */
static unsigned bit1(uint32_t v)
{
    return v & (SCREEN_BITS - 1);
}

static unsigned bit2(uint32_t v)
{
    return (v >> 9) & (SCREEN_BITS - 1);
}

static int has(const uint64_t *f, unsigned b)
{
    return (int)(f[b >> 6] >> (b & 63) & 1);
}

void ix_screen_put(rp_index *ix, int64_t row, size_t nsh, const uint32_t *sample, size_t m,
                   int has_path)
{
    if (row <= 0 || row >= (int64_t)UINT32_MAX || nsh > UINT32_MAX || m > UINT32_MAX)
        return;
    if ((size_t)row >= ix->nscr) {
        size_t cap = ix->nscr ? ix->nscr : 4096;
        while (cap <= (size_t)row)
            cap *= 2;
        ixscreen *v = realloc(ix->scr, cap * sizeof *v);
        if (!v)
            return;   /* not screened: its row is read */
        memset(v + ix->nscr, 0, (cap - ix->nscr) * sizeof *v);
        ix->scr = v;
        ix->nscr = cap;
    }
    ixscreen *s = &ix->scr[row];
    memset(s, 0, sizeof *s);
    if (has_path)
        return;   /* verified exactly, from its text */
    for (size_t i = 0; i < m; i++) {
        s->f[bit1(sample[i]) >> 6] |= (uint64_t)1 << (bit1(sample[i]) & 63);
        s->f[bit2(sample[i]) >> 6] |= (uint64_t)1 << (bit2(sample[i]) & 63);
    }
    s->m = (uint32_t)m;
    s->nsh = (uint32_t)nsh;
}

int ix_screen_out(const rp_index *ix, int64_t row, size_t na, const uint32_t *a, size_t ma)
{
    if (row <= 0 || (size_t)row >= ix->nscr)
        return 0;
    const ixscreen *s = &ix->scr[row];
    /* unknown, or not the row the lookup knows */
    if (!s->nsh || ix_keys_nsh(ix, row) != s->nsh)
        return 0;
    size_t x = 0;
    for (size_t i = 0; i < ma; i++)
        x += (size_t)(has(s->f, bit1(a[i])) & has(s->f, bit2(a[i])));
    if (x > s->m)
        x = s->m;
    rp_sim sim;
    ix_sample_sim(na, ma, s->nsh, s->m, x, &ix->o, &sim);
    return !sim.similar;
}

void ix_screen_prefetch(const rp_index *ix, const int64_t *rows, long n)
{
    const keytab *t = &ix->keys;
    /* a candidate's screen and set size are read at random: start all the
     * misses at once, not one after another */
    for (long i = 0; i < n; i++) {
        int64_t row = rows[i];
        if (row <= 0 || (size_t)row >= ix->nscr)
            continue;
        const char *s = (const char *)&ix->scr[row];
        __builtin_prefetch(s);
        __builtin_prefetch(s + sizeof(ixscreen) - 1);
        if (row <= t->blast && t->bnsh)
            __builtin_prefetch(&t->bnsh[row]);
        else if ((size_t)row < t->nnsh)
            __builtin_prefetch(&t->nsh[row]);
    }
}

void ix_screen_forget(rp_index *ix, int64_t row)
{
    if (row > 0 && (size_t)row < ix->nscr)
        memset(&ix->scr[row], 0, sizeof ix->scr[row]);
}

void ix_screen_free(rp_index *ix)
{
    free(ix->scr);
    ix->scr = NULL;
    ix->nscr = 0;
}
