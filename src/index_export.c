/*
 * index_export.c - rp_index_export: clusters every indexed document from
 * its stored verified pairs with rp_cluster_build, the code scan uses, so
 * that `index export` and `scan --json` give the same clusters on the same
 * input. Pairs not yet verified that the clustering needs are compared
 * exactly when both texts can be read again, else from the samples.
 */
#define _POSIX_C_SOURCE 200809L
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "util.h"

typedef struct exp_ctx {
    rp_index *ix;
    int64_t *rows;      /* dense index -> rowid */
    char **ids;
    size_t *nsh;
    size_t n;
} exp_ctx;

static long dense_of(const exp_ctx *e, int64_t row)
{
    size_t lo = 0, hi = e->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->rows[mid] < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < e->n && e->rows[lo] == row ? (long)lo : -1;
}

/* Compares documents a and b (dense) for the clustering. */
static int exp_compare(void *ctx, size_t a, size_t b, rp_sim *out)
{
    exp_ctx *e = ctx;
    stored sa, sb;
    int code = ix_stored_get(e->ix, e->rows[a], &sa);
    if (code != RP_OK)
        return code;
    code = ix_stored_get(e->ix, e->rows[b], &sb);
    if (code != RP_OK) {
        ix_stored_free(&sa);
        return code;
    }
    const rp_doc *da = ix_exact_doc(e->ix, &sa);
    rp_doc *keep = NULL;
    if (da) {
        /* the next lookup may evict it from the cache */
        cslot *c = &e->ix->cache[(uint64_t)sa.row % CACHE_SLOTS];
        keep = c->d;
        c->d = NULL;
        c->state = 0;
    }
    const rp_doc *db = da ? ix_exact_doc(e->ix, &sb) : NULL;
    if (da && db)
        rp_doc_compare(da, db, &e->ix->o, out);
    else
        rp_sample_estimate(sa.nsh, sa.sample, sa.m, sb.nsh, sb.sample, sb.m, &e->ix->o, out);
    rp_doc_free(keep);
    ix_stored_free(&sa);
    ix_stored_free(&sb);
    return RP_OK;
}

int rp_index_export(rp_index *ix, rp_index_export_fn fn, void *ctx)
{
    if (!ix || !ix->db || !fn)
        return RP_EINVAL;
    exp_ctx e = {ix, NULL, NULL, NULL, 0};
    rp_pair *pairs = NULL;
    size_t np = 0, cap = 0, ecap = 0;
    rp_clustering cl = {0};
    rp_index_member *mem = NULL;
    sqlite3_stmt *q = NULL;
    int code = RP_OK, rc;
    int own = sqlite3_get_autocommit(ix->db);
    if (own && (rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
        return ix_db_fail(ix, rc);
    rc = sqlite3_prepare_v2(ix->db, "SELECT rowid, id, nsh FROM docs ORDER BY rowid", -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW)
            break;
        const char *id = (const char *)sqlite3_column_text(q, 1);
        size_t c1 = ecap, c2 = ecap;
        if (rp_grow(&e.rows, &ecap, e.n + 1, sizeof *e.rows) < 0 ||
            rp_grow(&e.ids, &c1, e.n + 1, sizeof *e.ids) < 0 ||
            rp_grow(&e.nsh, &c2, e.n + 1, sizeof *e.nsh) < 0) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        int64_t nsh = sqlite3_column_int64(q, 2);
        if (!id || nsh < 1 || nsh > (int64_t)UINT32_MAX) {
            code = ix_fail(ix, RP_EFORMAT, "index is damaged (document row %lld)",
                            (long long)sqlite3_column_int64(q, 0));
            goto out;
        }
        e.rows[e.n] = sqlite3_column_int64(q, 0);
        e.ids[e.n] = strdup(id);
        e.nsh[e.n] = (size_t)nsh;
        if (!e.ids[e.n]) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        e.n++;
    }
    if (rc != SQLITE_DONE) {
        code = ix_db_fail(ix, rc);
        goto out;
    }
    sqlite3_finalize(q);
    rc = sqlite3_prepare_v2(ix->db, "SELECT a, b, shared FROM pairs ORDER BY a, b", -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW)
            break;
        long a = dense_of(&e, sqlite3_column_int64(q, 0));
        long b = dense_of(&e, sqlite3_column_int64(q, 1));
        int64_t shared = sqlite3_column_int64(q, 2);
        if (a < 0 || b < 0 || a >= b || shared < 0)
            continue;   /* a stale or malformed pair */
        if (rp_grow(&pairs, &cap, np + 1, sizeof *pairs) < 0) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        rp_pair *p = &pairs[np++];
        p->a = (size_t)a;
        p->b = (size_t)b;
        size_t sh = (size_t)shared;
        size_t lo = e.nsh[a] < e.nsh[b] ? e.nsh[a] : e.nsh[b];
        rp_sim_from_counts(e.nsh[a], e.nsh[b], sh < lo ? sh : lo, &ix->o, &p->sim);
        if (!p->sim.similar)
            np--;
    }
    if (rc != SQLITE_DONE) {
        code = ix_db_fail(ix, rc);
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    code = rp_cluster_build(e.n, pairs, np, exp_compare, &e, &ix->o, &cl);
    if (code != RP_OK) {
        if (code == RP_ENOMEM)
            ix_fail(ix, RP_ENOMEM, "out of memory");
        goto out;
    }
    mem = malloc((e.n + 1 + (cl.rstart ? cl.rstart[cl.n] : 0)) * sizeof *mem);
    if (!mem) {
        code = ix_fail(ix, RP_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < cl.n; i++) {
        size_t k = 0;
        for (size_t j = cl.start[i]; j < cl.start[i + 1]; j++, k++) {
            mem[k].id = e.ids[cl.members[j].doc];
            mem[k].jaccard = cl.members[j].jaccard;
            mem[k].containment = cl.members[j].containment;
        }
        /* then the related documents, up to an entry with no id */
        for (size_t j = cl.rstart[i], w = k; j <= cl.rstart[i + 1]; j++, w++) {
            const rp_member *r = &cl.related[j];
            int end = j == cl.rstart[i + 1];
            mem[w] = (rp_index_member){end ? NULL : e.ids[r->doc],
                                       end ? 0 : r->jaccard, end ? 0 : r->containment,
                                       end ? NULL : e.ids[r->partner],
                                       end ? 0 : r->score, end ? 0 : r->holds};
        }
        int r = fn(ctx, i + 1, mem, k);
        if (r != 0) {
            code = r;
            goto out;
        }
    }
out:
    sqlite3_finalize(q);
    if (own)
        sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    for (size_t i = 0; i < e.n; i++)
        free(e.ids[i]);
    free(e.ids);
    free(e.rows);
    free(e.nsh);
    free(pairs);
    free(mem);
    rp_clustering_free(&cl);
    return code;
}
