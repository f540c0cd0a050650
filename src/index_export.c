/*
 * index_export.c - rp_index_export: clusters every indexed document from
 * its stored verified pairs with rp_cluster_build, the code scan uses, so
 * that `index export` and `scan --json` give the same clusters on the same
 * input. Pairs not yet verified that the clustering needs are compared
 * exactly when both texts can be read again, else from the samples.
 */
#define _POSIX_C_SOURCE 200809L
#include "index_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "doc.h"
#include "util.h"

typedef struct exp_ctx {
    rp_index *ix;
    int64_t *rows;      /* dense index -> rowid */
    char **ids;
    size_t *nsh;
    int64_t *online;    /* the cluster rp_index_add gave each document */
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

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* A set of cluster numbers (positive), open addressing. */
typedef struct numset {
    int64_t *v;
    size_t mask;
} numset;

static int numset_init(numset *ns, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    ns->v = calloc(cap, sizeof *ns->v);
    ns->mask = cap - 1;
    return ns->v ? 0 : -1;
}

/* Adds x. @return 1 when it was there already, 0 when added. */
static int numset_add(numset *ns, int64_t x, int only_test)
{
    size_t i = (size_t)((uint64_t)x * 0x9E3779B97F4A7C15ull >> 20) & ns->mask;
    while (ns->v[i]) {
        if (ns->v[i] == x)
            return 1;
        i = (i + 1) & ns->mask;
    }
    if (!only_test)
        ns->v[i] = x;
    return 0;
}

/* The number of cluster i of cl, so that add --report, query and export
 * name a story alike: the number rp_index_add gave most of its members
 * (the smaller on a tie), unless an earlier cluster took it (the
 * re-clustering split an online cluster); then its representative's row
 * number, else the first member row number free. Rows and online numbers
 * are both row numbers, so a number is never given twice. num has room
 * for the cluster's members. */
static int64_t cluster_number(const exp_ctx *e, const rp_clustering *cl, size_t i,
                              int64_t *num, numset *used)
{
    size_t n = 0, best = 0, run = 0;
    for (size_t j = cl->start[i]; j < cl->start[i + 1]; j++)
        num[n++] = e->online[cl->members[j].doc];
    qsort(num, n, sizeof *num, cmp_i64);
    int64_t pick = num[0];
    for (size_t j = 0; j < n; j++) {
        run = j > 0 && num[j] == num[j - 1] ? run + 1 : 1;
        if (run > best) {
            best = run;
            pick = num[j];
        }
    }
    if (numset_add(used, pick, 1)) {
        pick = 0;
        for (size_t j = cl->start[i]; j < cl->start[i + 1] && !pick; j++) {
            int64_t r = e->rows[cl->members[j].doc];
            if (!numset_add(used, r, 1))
                pick = r;
        }
        if (!pick)   /* every one taken: a number above every row */
            pick = e->rows[e->n - 1] + 1 + (int64_t)i;
    }
    numset_add(used, pick, 0);
    return pick;
}

int rp_index_export(rp_index *ix, rp_index_export_fn fn, void *ctx)
{
    if (!ix || !ix->db || !fn)
        return RP_EINVAL;
    exp_ctx e = {ix, NULL, NULL, NULL, NULL, 0};
    int64_t *num = NULL;
    numset used = {NULL, 0};
    rp_pair *pairs = NULL;
    size_t np = 0, cap = 0, ecap = 0;
    rp_clustering cl = {0};
    rp_index_member *mem = NULL;
    sqlite3_stmt *q = NULL;
    int code = RP_OK, rc;
    int own = sqlite3_get_autocommit(ix->db);
    if (own && (rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
        return ix_db_fail(ix, rc);
    rc = sqlite3_prepare_v2(ix->db, "SELECT rowid, id, nsh, COALESCE(cluster, rowid) FROM docs ORDER BY rowid", -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW)
            break;
        const char *id = (const char *)sqlite3_column_text(q, 1);
        size_t c1 = ecap, c2 = ecap, c3 = ecap;
        if (rp_grow(&e.rows, &ecap, e.n + 1, sizeof *e.rows) < 0 ||
            rp_grow(&e.ids, &c1, e.n + 1, sizeof *e.ids) < 0 ||
            rp_grow(&e.nsh, &c2, e.n + 1, sizeof *e.nsh) < 0 ||
            rp_grow(&e.online, &c3, e.n + 1, sizeof *e.online) < 0) {
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
        e.online[e.n] = sqlite3_column_int64(q, 3);
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
    num = malloc((size_t)(cl.start[cl.n] + 1) * sizeof *num);
    if (numset_init(&used, cl.n) < 0 || !num) {
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
        int64_t number = cluster_number(&e, &cl, i, num, &used);
        int r = fn(ctx, (size_t)number, mem, k);
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
    free(e.online);
    free(used.v);
    free(num);
    free(pairs);
    free(mem);
    rp_clustering_free(&cl);
    return code;
}

int rp_index_list(rp_index *ix, const char *id, rp_index_doc_fn fn, void *ctx)
{
    if (!ix || !ix->db || !fn)
        return RP_EINVAL;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT rowid, id, path, title, size, added, %s, "
             "COALESCE(cluster, rowid), nsh FROM docs %s ORDER BY rowid",
             ix->format >= 2 ? "COALESCE(date, added)" : "added",
             id ? "WHERE id = ?" : "");
    sqlite3_stmt *q = NULL;
    int own = sqlite3_get_autocommit(ix->db), rc, code = RP_OK;
    if (own && (rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
        return ix_db_fail(ix, rc);
    rc = sqlite3_prepare_v2(ix->db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK) {
        code = ix_db_fail(ix, rc);
        goto out;
    }
    if (id)
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    size_t seen = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        rp_index_doc d;
        const char *path = (const char *)sqlite3_column_text(q, 2);
        d.row = sqlite3_column_int64(q, 0);
        d.id = (const char *)sqlite3_column_text(q, 1);
        d.path = path && !path[0] ? d.id : path;
        d.title = (const char *)sqlite3_column_text(q, 3);
        d.size = (uint64_t)sqlite3_column_int64(q, 4);
        d.added = sqlite3_column_int64(q, 5);
        d.date = sqlite3_column_int64(q, 6);
        d.cluster = sqlite3_column_int64(q, 7);
        int64_t nsh = sqlite3_column_int64(q, 8);
        d.shingles = nsh > 0 ? (size_t)nsh : 0;
        if (!d.id)
            continue;
        seen++;
        int r = fn(ctx, &d);
        if (r != 0) {
            code = r;
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        code = ix_db_fail(ix, rc);
    else if (id && !seen)
        code = ix_fail(ix, RP_ENOTFOUND, "no such document");
out:
    sqlite3_finalize(q);
    if (own)
        sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    return code;
}

static int cmp_score(const void *x, const void *y)
{
    const rp_index_match *a = x, *b = y;
    if (a->sim.score != b->sim.score)
        return a->sim.score > b->sim.score ? -1 : 1;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

int rp_index_pairs(rp_index *ix, const char *id, rp_index_result *res)
{
    memset(res, 0, sizeof *res);
    if (!ix || !ix->db || !id)
        return RP_EINVAL;
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    int own = sqlite3_get_autocommit(ix->db), rc, code = RP_OK;
    if (own && (rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
        return ix_db_fail(ix, rc);
    rc = sqlite3_prepare_v2(ix->db,
        "SELECT d.rowid, d.nsh, COALESCE(d.cluster, d.rowid), o.id, o.nsh, o.rowid, p.shared, p.exact "
        "FROM docs d JOIN pairs p ON p.a = d.rowid OR p.b = d.rowid "
        "JOIN docs o ON o.rowid = (CASE WHEN p.a = d.rowid THEN p.b ELSE p.a END) "
        "WHERE d.id = ?", -1, &q, NULL);
    if (rc != SQLITE_OK) {
        code = ix_db_fail(ix, rc);
        goto out;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t na = sqlite3_column_int64(q, 1), nb = sqlite3_column_int64(q, 4);
        int64_t shared = sqlite3_column_int64(q, 6);
        const char *other = (const char *)sqlite3_column_text(q, 3);
        res->cluster = sqlite3_column_int64(q, 2);
        if (!other || na < 1 || nb < 1 || shared < 0)
            continue;   /* a malformed row */
        if (rp_grow(&res->m, &cap, res->n + 1, sizeof *res->m) < 0) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        rp_index_match *m = &res->m[res->n];
        size_t lo = (size_t)(na < nb ? na : nb);
        rp_sim_from_counts((size_t)na, (size_t)nb, (size_t)shared < lo ? (size_t)shared : lo,
                           &ix->o, &m->sim);
        m->doc = sqlite3_column_int64(q, 5);
        m->exact = sqlite3_column_int(q, 7);
        m->id = strdup(other);
        if (!m->id) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        res->n++;
    }
    if (rc != SQLITE_DONE) {
        code = ix_db_fail(ix, rc);
        goto out;
    }
    if (res->n > 1)
        qsort(res->m, res->n, sizeof *res->m, cmp_score);
    if (res->n == 0) {
        /* no pairs: is the document there at all? */
        int64_t row = 0, cl = 0;
        sqlite3_finalize(q);
        q = NULL;
        rc = sqlite3_prepare_v2(ix->db, "SELECT rowid, COALESCE(cluster, rowid) FROM docs "
                                "WHERE id = ?", -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
            rc = sqlite3_step(q);
            if (rc == SQLITE_ROW) {
                row = sqlite3_column_int64(q, 0);
                cl = sqlite3_column_int64(q, 1);
                rc = SQLITE_DONE;
            }
        }
        if (rc != SQLITE_DONE)
            code = ix_db_fail(ix, rc);
        else if (!row)
            code = ix_fail(ix, RP_ENOTFOUND, "no such document");
        res->cluster = cl;
    }
out:
    sqlite3_finalize(q);
    if (own)
        sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    if (code != RP_OK)
        rp_index_result_free(res);
    return code;
}
