/*
 * walk.c - the folder walk and the file reader of `reprint scan`, and the
 * reader of standard input for `reprint diff`.
 *
 * Folders are read whole and their entries sorted with strcmp, so the
 * order of the output depends only on the names, never on the file system
 * or the locale. Hidden entries (a leading dot) are skipped unless asked
 * for, and --include/--exclude patterns filter the rest. Symbolic links to
 * files are read; links to folders are followed only with -L, and then a
 * link back to a folder on the current path (same device and inode) is
 * reported as a loop instead of being entered. Anything that is not a
 * regular file or a folder (FIFO, socket, device) is skipped without being
 * opened, so the walk never blocks. Folders are entered with openat from
 * their parent's descriptor (O_NOFOLLOW unless a link is followed on
 * purpose) and checked to be what was looked at, so a folder swapped for
 * a link during the walk is never followed.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE   /* d_type and DT_REG, where the C library has them */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

int pathlist_push(pathlist *p, char *s)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 256;
        char **nv = realloc(p->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        p->v = nv;
        p->cap = nc;
    }
    p->v[p->n++] = s;
    return 0;
}

void pathlist_free(pathlist *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
    p->bytes = 0;
}

/* Names of a folder's entries are kept with the entry's type (d_type)
 * in front: names.v[i][0] is the type, names.v[i] + 1 the name. */
static int cmp_typed(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] != '/';
    char *s = malloc(a + slash + b + 1);
    if (!s)
        return NULL;
    memcpy(s, dir, a);
    if (slash)
        s[a] = '/';
    memcpy(s + a + slash, name, b + 1);
    return s;
}

/* The folders on the path from the argument down to the current one. */
typedef struct ancestor {
    dev_t dev;
    ino_t ino;
    const struct ancestor *up;
} ancestor;

static int is_ancestor(const ancestor *a, const struct stat *st)
{
    for (; a; a = a->up)
        if (a->dev == st->st_dev && a->ino == st->st_ino)
            return 1;
    return 0;
}

static int matches(char **pats, size_t n, const char *name, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(pats[i], name, 0) == 0 || fnmatch(pats[i], rel, FNM_PATHNAME) == 0)
            return 1;
    return 0;
}

int walk_wanted(const walk_opts *o, const char *name, const char *rel)
{
    return !matches(o->exclude, o->nexclude, name, rel) &&
           (!o->ninclude || matches(o->include, o->ninclude, name, rel));
}

/* Opens the folder name in the folder open as at (AT_FDCWD: name is a
 * path) for walking, and checks that it is still the folder st describes:
 * O_NOFOLLOW unless the walk decided to follow a link (follow), so that a
 * folder swapped for a link after it was looked at is never entered.
 * @return the descriptor, or -1 with *why set. */
static int open_folder(int at, const char *name, int follow, const struct stat *st,
                       const char **why)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        *why = errno == ELOOP || errno == ENOTDIR ? "changed during the walk" : strerror(errno);
        return -1;
    }
    struct stat now;
    if (fstat(fd, &now) != 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
        *why = "changed during the walk";
        close(fd);
        return -1;
    }
    return fd;
}

/* Walks the folder open as fd (taken over), whose path is dir; rel is
 * where the path relative to the argument starts in the paths below it.
 * Entries are looked at and entered through fd (fstatat, openat), never
 * through their paths, so what is decided about an entry holds for what
 * is entered. */
static int walk_dir(int fd, const char *dir, size_t rel, const ancestor *up,
                    const walk_opts *o, pathlist *out, size_t *skipped)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        diag("%s: cannot open folder: %s", safe(dir), strerror(errno));
        close(fd);
        (*skipped)++;
        return 0;
    }
    pathlist names = {0};
    struct dirent *e;
    int rc = 0;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (n[0] == '.' && !o->hidden)
            continue;
        size_t k = strlen(n);
        char *copy = malloc(k + 2);
        if (copy) {
#ifdef DT_REG
            copy[0] = (char)e->d_type;
#else
            copy[0] = 0;
#endif
            memcpy(copy + 1, n, k + 1);
        }
        if (!copy || pathlist_push(&names, copy) < 0) {
            free(copy);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && names.n)   /* (qsort takes no NULL, even for none) */
        qsort(names.v, names.n, sizeof *names.v, cmp_typed);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        const char *name = names.v[i] + 1;
        char *path = join(dir, name);
        if (!path) {
            rc = -1;
            break;
        }
        struct stat st;
#ifdef DT_REG
        if (!o->sizes && (unsigned char)names.v[i][0] == DT_REG) {
            st.st_mode = S_IFREG;   /* (the entry says so; its size is not needed) */
            st.st_size = 0;
        } else
#endif
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            diag("%s: cannot stat: %s", safe(path), strerror(errno));
            (*skipped)++;
            free(path);
            continue;
        }
        int link = S_ISLNK(st.st_mode);
        if (link) {
            struct stat t;
            if (fstatat(dirfd(d), name, &t, 0) != 0) {
                diag("%s: broken symbolic link: %s", safe(path), strerror(errno));
                (*skipped)++;
                free(path);
                continue;
            }
            if (S_ISDIR(t.st_mode) && !o->follow) {
                free(path);   /* links to folders are followed only with -L */
                continue;
            }
            st = t;
        }
        const char *relpath = path + rel;
        if (matches(o->exclude, o->nexclude, name, relpath) ||
            (!S_ISDIR(st.st_mode) && o->ninclude &&
             !matches(o->include, o->ninclude, name, relpath))) {
            free(path);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            const char *why;
            int sub;
            if (is_ancestor(up, &st)) {
                diag("%s: skipped: folder loop (a link to a folder above it)", safe(path));
                (*skipped)++;
            } else if ((sub = open_folder(dirfd(d), name, link, &st, &why)) < 0) {
                diag("%s: cannot open folder: %s", safe(path), why);
                (*skipped)++;
            } else {
                ancestor me = {st.st_dev, st.st_ino, up};
                rc = walk_dir(sub, path, rel, &me, o, out, skipped);
            }
            free(path);
        } else if (S_ISREG(st.st_mode)) {
            if (pathlist_push(out, path) < 0) {
                free(path);
                rc = -1;
            } else {
                out->bytes += (unsigned long long)st.st_size;
                if (o->found)
                    o->found(o->ctx, out->n);
            }
        } else {
            diag("%s: not a regular file", safe(path));
            (*skipped)++;
            free(path);
        }
    }
    closedir(d);
    pathlist_free(&names);
    if (rc < 0)
        diag("%s: out of memory", safe(dir));
    return rc;
}

int walk_path(const char *path, const walk_opts *o, pathlist *out,
              size_t *skipped)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag("%s: cannot open: %s", safe(path), strerror(errno));
        (*skipped)++;
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        /* a folder named on the command line is entered even through a link */
        const char *why;
        int fd = open_folder(AT_FDCWD, path, 1, &st, &why);
        if (fd < 0) {
            diag("%s: cannot open folder: %s", safe(path), why);
            (*skipped)++;
            return 0;
        }
        size_t n = strlen(path);
        ancestor root = {st.st_dev, st.st_ino, NULL};
        return walk_dir(fd, path, n + (n > 0 && path[n - 1] != '/'), &root, o,
                        out, skipped);
    }
    if (!S_ISREG(st.st_mode)) {
        diag("%s: not a regular file", safe(path));
        (*skipped)++;
        return 0;
    }
    char *copy = strdup(path);
    if (!copy || pathlist_push(out, copy) < 0) {
        free(copy);
        diag("%s: out of memory", safe(path));
        return -1;
    }
    out->bytes += (unsigned long long)st.st_size;
    return 0;
}

/* Reads fd to its end into a malloc'd, NUL-terminated buffer that starts
 * at cap bytes and doubles; more than max bytes fail with toolarge. For a
 * regular file of size bytes (else size is SIZE_MAX), a read that gives
 * fewer bytes than asked and ends the file at that size is its end: the
 * read that would return 0 is saved (one system call a file; growth past
 * the size fills the buffer instead, and reading goes on).
 * @return NULL on success, or a static reason. */
static const char *read_all(int fd, size_t cap, size_t size, size_t max,
                            const char *toolarge, char **buf, size_t *len)
{
    size_t n = 0;
    char *b = malloc(cap);
    if (!b)
        return "out of memory";
    for (;;) {
        if (n + 1 >= cap) {
            /* room for max + 1 bytes and the NUL tells a file of max bytes
             * from a longer one */
            size_t nc = cap <= max / 2 ? cap * 2 : max + 2;
            if (n > max || nc <= cap) {
                free(b);
                return toolarge;
            }
            char *nb = realloc(b, nc);
            if (!nb) {
                free(b);
                return "out of memory";
            }
            b = nb;
            cap = nc;
        }
        size_t ask = cap - 1 - n;
        ssize_t r = read(fd, b + n, ask);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            const char *reason = strerror(errno);
            free(b);
            return reason;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if ((size_t)r < ask && n == size)
            break;
    }
    if (n > max) {
        free(b);
        return toolarge;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return NULL;
}

const char *read_file(const char *path, size_t max, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO swapped in after the walk must not block us */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return strerror(errno);
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st) != 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else
        why = read_fd(fd, (uint64_t)st.st_size, max, buf, len);
    close(fd);
    return why;
}

const char *read_fd(int fd, uint64_t size, size_t max, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    if (size > max)
        return WALK_TOO_LARGE;
    /* sized for the file and its end; grows if the file grows */
    return read_all(fd, (size_t)size + 2, (size_t)size, max, WALK_TOO_LARGE, buf, len);
}

const char *read_stdin(size_t max, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    return read_all(STDIN_FILENO, 65536, SIZE_MAX, max, "input larger than the limit", buf,
                    len);
}
