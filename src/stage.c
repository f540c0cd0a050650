/*
 * stage.c - writer and checking reader of the intermediate files of
 * `reprint dist` (see stage.h for the layout). The reader trusts nothing:
 * magic, version, kind, size, the header's checksum and the section table
 * are all checked before a section is handed out, and a section's own
 * checksum when it is read whole, so a stage stops with a clear reason on
 * a file of another version, cut short or damaged.
 */
#define _POSIX_C_SOURCE 200809L
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "reprint.h"
#include "util.h"

#define HEAD 48
static const char magic[8] = {'R', 'P', 'S', 'T', 'A', 'G', 'E', '\n'};

struct rp_stage_w {
    uint32_t kind, task, ntasks;
    uint64_t fp;
    unsigned nsec;
    struct wsec { uint8_t *p; size_t n, cap; } sec[RP_STAGE_MAXSEC];
};

int rp_stage_w_new(uint32_t kind, uint64_t fingerprint, uint32_t task,
                   uint32_t ntasks, unsigned nsec, rp_stage_w **out)
{
    *out = NULL;
    if (nsec > RP_STAGE_MAXSEC)
        return RP_EINVAL;
    rp_stage_w *w = calloc(1, sizeof *w);
    if (!w)
        return RP_ENOMEM;
    w->kind = kind;
    w->fp = fingerprint;
    w->task = task;
    w->ntasks = ntasks;
    w->nsec = nsec;
    *out = w;
    return RP_OK;
}

void rp_stage_w_len(const rp_stage_w *w, unsigned sec, size_t *len)
{
    *len = sec < w->nsec ? w->sec[sec].n : 0;
}

void rp_stage_w_set_task(rp_stage_w *w, uint32_t task)
{
    w->task = task;
}

int rp_stage_w_put(rp_stage_w *w, unsigned sec, const void *p, size_t len)
{
    if (sec >= w->nsec)
        return RP_EINVAL;
    struct wsec *s = &w->sec[sec];
    if (len == 0)
        return RP_OK;
    if (rp_grow(&s->p, &s->cap, s->n + len, 1) < 0)
        return RP_ENOMEM;
    memcpy(s->p + s->n, p, len);
    s->n += len;
    return RP_OK;
}

void rp_stage_w_free(rp_stage_w *w)
{
    if (!w)
        return;
    for (unsigned i = 0; i < w->nsec; i++)
        free(w->sec[i].p);
    free(w);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int write_all(int fd, const void *p, size_t n, XXH3_state_t *st)
{
    const char *c = p;
    XXH3_64bits_update(st, p, n);
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? -errno : -EIO;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* @return 0 or -errno. */
static int save(rp_stage_w *w, const char *path)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    XXH3_state_t *st = XXH3_createState();
    int rc = -ENOMEM, fd = -1;
    uint8_t *head = NULL;
    size_t hlen = HEAD + 24 * (size_t)w->nsec + 8;
    if (!tmp || !st || !(head = calloc(1, hlen)))
        goto out;
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    uint64_t off = hlen;
    memcpy(head, magic, 8);
    put32(head + 8, RP_STAGE_VERSION);
    put32(head + 12, w->kind);
    put64(head + 16, w->fp);
    put32(head + 24, w->task);
    put32(head + 28, w->ntasks);
    put32(head + 32, w->nsec);
    /* each section starts on a multiple of 8 bytes, so that a mapped
     * file gives aligned arrays of 64-bit values */
    for (unsigned i = 0; i < w->nsec; i++) {
        put64(head + HEAD + 24 * i, off);
        put64(head + HEAD + 24 * i + 8, w->sec[i].n);
        put64(head + HEAD + 24 * i + 16, XXH3_64bits(w->sec[i].p, w->sec[i].n));
        off += (w->sec[i].n + 7) & ~(uint64_t)7;
    }
    put64(head + 40, off);
    put64(head + hlen - 8, XXH3_64bits(head, hlen - 8));
    XXH3_64bits_reset(st);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    rc = write_all(fd, head, hlen, st);
    static const uint8_t zero[8];
    for (unsigned i = 0; rc == 0 && i < w->nsec; i++) {
        rc = write_all(fd, w->sec[i].p, w->sec[i].n, st);
        if (rc == 0 && w->sec[i].n % 8)
            rc = write_all(fd, zero, 8 - w->sec[i].n % 8, st);
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    fd = -1;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc != 0)
        unlink(tmp);
out:
    free(tmp);
    free(head);
    XXH3_freeState(st);
    return rc;
}

int rp_stage_parse(const void *buf, size_t len, uint32_t kind, rp_stage *s,
                   const char **why)
{
    const uint8_t *b = buf;
    memset(s, 0, sizeof *s);
    *why = "";
    if (len < 8 || memcmp(b, magic, 8) != 0) {
        *why = "not a reprint dist file";
        return RP_EFORMAT;
    }
    if (len < 12 || get32(b + 8) != RP_STAGE_VERSION) {
        *why = len < 12 ? "truncated" : "written by another version of reprint dist";
        return RP_EFORMAT;
    }
    if (len < HEAD) {
        *why = "truncated";
        return RP_EFORMAT;
    }
    uint64_t size = get64(b + 40);
    uint32_t nsec = get32(b + 32);
    if (size != len) {
        *why = size > len ? "truncated" : "has bytes past its end";
        return RP_EFORMAT;
    }
    uint64_t end = HEAD + 24 * (uint64_t)nsec + 8;
    if (nsec > RP_STAGE_MAXSEC || end > len) {
        *why = "damaged (section table)";
        return RP_EFORMAT;
    }
    if (XXH3_64bits(b, end - 8) != get64(b + end - 8)) {
        *why = "damaged (checksum)";
        return RP_EFORMAT;
    }
    for (uint32_t i = 0; i < nsec; i++) {
        uint64_t o = get64(b + HEAD + 24 * i), n = get64(b + HEAD + 24 * i + 8);
        if (o < end || o % 8 || n > len || o > len - n) {
            *why = "damaged (section table)";
            return RP_EFORMAT;
        }
    }
    if (kind && get32(b + 12) != kind) {
        *why = "written by another stage";
        return RP_EFORMAT;
    }
    s->buf = (uint8_t *)(uintptr_t)b;
    s->size = len;
    s->kind = get32(b + 12);
    s->fingerprint = get64(b + 16);
    s->task = get32(b + 24);
    s->ntasks = get32(b + 28);
    s->nsec = nsec;
    return RP_OK;
}

int rp_stage_load(const char *path, uint32_t kind, rp_stage *s, const char **why)
{
    memset(s, 0, sizeof *s);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        *why = strerror(errno);
        if (fd >= 0)
            close(fd);
        return RP_ELOAD;
    }
    /* mapped, not read: tasks on one node share the pages of the files
     * they all read (the sketches), and the kernel may drop them */
    size_t len = (size_t)st.st_size;
    void *map = len ? mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) : NULL;
    close(fd);
    if (len && map == MAP_FAILED) {
        *why = strerror(errno);
        return RP_ELOAD;
    }
    int rc = rp_stage_parse(map, len, kind, s, why);
    if (rc != RP_OK) {
        if (map)
            munmap(map, len);
        return rc;
    }
    s->owned = 1;
    return RP_OK;
}

int rp_stage_w_save(rp_stage_w *w, const char *path)
{
    int rc = save(w, path);
    if (rc == 0)
        return RP_OK;
    errno = -rc;
    return rc == -ENOMEM ? RP_ENOMEM : rc == -ENOSPC || rc == -EDQUOT ? RP_EFULL : RP_EREADONLY;
}

int rp_stage_open(const char *path, uint32_t kind, rp_stage **out, const char **why)
{
    *out = NULL;
    rp_stage *s = malloc(sizeof *s);
    if (!s) {
        *why = strerror(ENOMEM);
        return RP_ENOMEM;
    }
    int rc = rp_stage_load(path, kind & ~RP_STAGE_PARTIAL, s, why);
    if (rc != RP_OK) {
        int missing = rc == RP_ELOAD && errno == ENOENT;
        free(s);
        return missing ? RP_ENOTFOUND : rc;
    }
    for (unsigned i = 0; i < s->nsec && !(kind & RP_STAGE_PARTIAL); i++)
        if (rp_stage_check(s, i, why) != RP_OK) {
            rp_stage_close(s);
            return RP_EFORMAT;
        }
    *out = s;
    return RP_OK;
}

int rp_stage_check_sec(const rp_stage *s, unsigned i)
{
    const char *why;
    return rp_stage_check(s, i, &why);
}

void rp_stage_close(rp_stage *s)
{
    if (!s)
        return;
    rp_stage_clear(s);
    free(s);
}

uint64_t rp_stage_fingerprint(const rp_stage *s)
{
    return s->fingerprint;
}

const void *rp_stage_sec(const rp_stage *s, unsigned i, size_t *len)
{
    if (i >= s->nsec) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)get64(s->buf + HEAD + 24 * i + 8);
    return s->buf + get64(s->buf + HEAD + 24 * i);
}

int rp_stage_check(const rp_stage *s, unsigned i, const char **why)
{
    size_t len;
    const void *p = rp_stage_sec(s, i, &len);
    if (!p || XXH3_64bits(p, len) != get64(s->buf + HEAD + 24 * i + 16)) {
        *why = "damaged (checksum)";
        return RP_EFORMAT;
    }
    return RP_OK;
}

void rp_stage_clear(rp_stage *s)
{
    if (s->owned && s->buf)
        munmap(s->buf, s->size);
    memset(s, 0, sizeof *s);
}
