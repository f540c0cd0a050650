"""_lib.py - ctypes declarations of libreprint's C API (include/reprint.h).

Loads the shared library once and declares the structs and functions the
bindings use. The struct layouts mirror reprint.h field for field;
tests/test_layout.py compiles a C program that prints the real sizes and
offsets and compares them with these, so that a change to the header
cannot go unnoticed.

The library is found, in order: at the path in $REPRINT_LIB; through the
dynamic loader as libreprint.so.MAJOR (the installed copy); at
build/libreprint.so of the source tree this file sits in.
"""
import ctypes
import os

#: The library version these bindings were written for (reprint.h).
MAJOR = 0
SONAME = "libreprint.so.%d" % MAJOR

c_size_t = ctypes.c_size_t
c_uint = ctypes.c_uint
c_int = ctypes.c_int
c_double = ctypes.c_double
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p


# enum rp_option, in the header's order (rp_options itself is opaque).
OPTION_CODES = {"shingle": 1, "hashes": 2, "threshold": 3, "lsh_threshold": 4,
                "bands": 5, "rows": 6, "min_shared": 7, "keep_boilerplate": 8,
                "furniture_df": 9, "exhaustive": 10}


class Sim(ctypes.Structure):
    _fields_ = [("jaccard", c_double), ("containment_ab", c_double),
                ("containment_ba", c_double), ("score", c_double),
                ("shared", c_size_t), ("similar", c_int)]


class Pair(ctypes.Structure):
    _fields_ = [("a", c_size_t), ("b", c_size_t), ("sim", Sim)]


class Member(ctypes.Structure):
    _fields_ = [("doc", c_size_t), ("jaccard", c_double),
                ("containment", c_double), ("score", c_double),
                ("holds", c_double), ("partner", c_size_t)]


class RunStats(ctypes.Structure):
    _fields_ = [("lsh", c_double), ("verify", c_double),
                ("cluster", c_double), ("candidates", c_size_t),
                ("screened", c_size_t), ("verified", c_size_t),
                ("furniture", c_size_t), ("bands", c_uint), ("rows", c_uint),
                ("capped", c_size_t)]


class Token(ctypes.Structure):
    _fields_ = [("hash", ctypes.c_uint64), ("start", ctypes.c_uint32),
                ("end", ctypes.c_uint32)]


class Span(ctypes.Structure):
    _fields_ = [("a", c_size_t), ("b", c_size_t), ("words", c_size_t),
                ("a_start", ctypes.c_uint32), ("a_end", ctypes.c_uint32),
                ("b_start", ctypes.c_uint32), ("b_end", ctypes.c_uint32),
                ("moved", c_int)]


class Para(ctypes.Structure):
    _fields_ = [("start", ctypes.c_uint32), ("end", ctypes.c_uint32),
                ("tok", c_size_t), ("ntok", c_size_t), ("shared", c_size_t),
                ("comments", c_int)]


class ParaLink(ctypes.Structure):
    _fields_ = [("rel", c_int), ("a", c_size_t), ("b", c_size_t),
                ("words", c_size_t), ("a_share", c_double),
                ("b_share", c_double), ("first", c_size_t),
                ("last", c_size_t), ("note", c_int)]


class Diff(ctypes.Structure):
    _fields_ = [("sim", Sim),
                ("tok_a", ctypes.POINTER(Token)),
                ("tok_b", ctypes.POINTER(Token)),
                ("words_a", c_size_t), ("words_b", c_size_t),
                ("shared_words", c_size_t),
                ("spans", ctypes.POINTER(Span)), ("nspans", c_size_t),
                ("paras_a", ctypes.POINTER(Para)),
                ("paras_b", ctypes.POINTER(Para)),
                ("nparas_a", c_size_t), ("nparas_b", c_size_t),
                ("links", ctypes.POINTER(ParaLink)), ("nlinks", c_size_t),
                ("thread_a", c_size_t), ("thread_b", c_size_t)]


class IndexMatch(ctypes.Structure):
    _fields_ = [("id", c_char_p), ("doc", ctypes.c_int64), ("sim", Sim),
                ("exact", c_int)]


class IndexResult(ctypes.Structure):
    _fields_ = [("status", c_int), ("cluster", ctypes.c_int64),
                ("n", c_size_t), ("m", ctypes.POINTER(IndexMatch))]


class IndexStats(ctypes.Structure):
    _fields_ = [("docs", ctypes.c_uint64), ("clusters", ctypes.c_uint64),
                ("pairs", ctypes.c_uint64), ("bytes", ctypes.c_uint64),
                ("bands", c_uint), ("rows", c_uint)]


class IndexMember(ctypes.Structure):
    _fields_ = [("id", c_char_p), ("jaccard", c_double),
                ("containment", c_double), ("with", c_char_p),
                ("score", c_double), ("holds", c_double)]


#: int (*rp_load_fn)(void *ctx, size_t doc, char **text, size_t *len)
LOAD_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_size_t,
                           ctypes.POINTER(c_void_p), ctypes.POINTER(c_size_t))
#: int (*rp_index_load_fn)(void *ctx, const char *path, char **, size_t *)
INDEX_LOAD_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p,
                                 ctypes.POINTER(c_void_p),
                                 ctypes.POINTER(c_size_t))
#: int (*rp_index_export_fn)(void *ctx, size_t cluster,
#:                           const rp_index_member *m, size_t n)
EXPORT_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_size_t,
                             ctypes.POINTER(IndexMember), c_size_t)

P = ctypes.POINTER
_PROTOS = {
    # name: (restype, argtypes)
    "rp_strerror": (c_char_p, [c_int]),
    "rp_version": (c_char_p, []),
    "rp_version_number": (c_uint, []),
    "rp_options_new": (c_int, [P(c_void_p)]),
    "rp_options_free": (None, [c_void_p]),
    "rp_options_set": (c_int, [c_void_p, c_int, c_double]),
    "rp_options_get": (c_int, [c_void_p, c_int, P(c_double)]),
    "rp_options_check": (c_int, [c_void_p]),
    "rp_text_prepare": (c_int, [c_char_p, c_size_t, c_uint, P(c_void_p),
                                P(c_size_t)]),
    "rp_doc_new": (c_int, [c_void_p, c_size_t, c_void_p, P(c_void_p)]),
    "rp_doc_free": (None, [c_void_p]),
    "rp_doc_shingles": (c_size_t, [c_void_p]),
    "rp_doc_words": (c_size_t, [c_void_p]),
    "rp_corpus_new": (c_int, [c_void_p, P(c_void_p)]),
    "rp_corpus_free": (None, [c_void_p]),
    "rp_corpus_add": (c_int, [c_void_p, c_char_p, c_void_p, P(c_size_t)]),
    "rp_corpus_set_loader": (c_int, [c_void_p, LOAD_FN, c_void_p]),
    "rp_corpus_set_threads": (c_int, [c_void_p, c_uint]),
    "rp_corpus_run": (c_int, [c_void_p]),
    "rp_corpus_stats": (None, [c_void_p, P(RunStats)]),
    "rp_corpus_lost": (c_int, [c_void_p, c_size_t]),
    "rp_corpus_size": (c_size_t, [c_void_p]),
    "rp_corpus_id": (c_char_p, [c_void_p, c_size_t]),
    "rp_corpus_npairs": (c_size_t, [c_void_p]),
    "rp_corpus_pair": (P(Pair), [c_void_p, c_size_t]),
    "rp_corpus_nclusters": (c_size_t, [c_void_p]),
    "rp_cluster_size": (c_size_t, [c_void_p, c_size_t]),
    "rp_cluster_representative": (c_size_t, [c_void_p, c_size_t]),
    "rp_cluster_member": (P(Member), [c_void_p, c_size_t, c_size_t]),
    "rp_diff_texts": (c_int, [c_char_p, c_size_t, c_char_p, c_size_t,
                              c_void_p, c_uint, P(Diff)]),
    "rp_diff_clear": (None, [P(Diff)]),
    "rp_index_new": (c_int, [P(c_void_p)]),
    "rp_index_free": (None, [c_void_p]),
    "rp_index_open": (c_int, [c_void_p, c_char_p, c_uint, c_void_p, c_int]),
    "rp_index_errmsg": (c_char_p, [c_void_p]),
    "rp_index_options": (c_int, [c_void_p, c_void_p, P(c_int)]),
    "rp_index_set_loader": (None, [c_void_p, INDEX_LOAD_FN, c_void_p]),
    "rp_index_begin": (c_int, [c_void_p]),
    "rp_index_commit": (c_int, [c_void_p]),
    "rp_index_rollback": (None, [c_void_p]),
    "rp_index_result_free": (None, [P(IndexResult)]),
    "rp_index_add": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p,
                             ctypes.c_uint64, c_void_p, P(IndexResult)]),
    "rp_index_query": (c_int, [c_void_p, c_char_p, c_void_p,
                               P(IndexResult)]),
    "rp_index_remove": (c_int, [c_void_p, c_char_p]),
    "rp_index_stats_get": (c_int, [c_void_p, P(IndexStats)]),
    "rp_index_export": (c_int, [c_void_p, EXPORT_FN, c_void_p]),
}


def _candidates():
    env = os.environ.get("REPRINT_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.join(here, "..", "..", "build", "libreprint.so")
    return [SONAME, os.path.normpath(tree)]


def _load():
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
            continue
        for name, (res, args) in _PROTOS.items():
            fn = getattr(lib, name)
            fn.restype = res
            fn.argtypes = args
        if lib.rp_version_number() // 10000 != MAJOR:
            errors.append("%s: version %s, these bindings need %d.x"
                          % (path, lib.rp_version().decode(), MAJOR))
            continue
        return lib, path
    raise ImportError("reprint: cannot load libreprint (set REPRINT_LIB to "
                      "its path): " + "; ".join(errors))


lib, path = _load()

# The library frees what a loader gives back with free(), and gives back
# texts the caller frees: both need the C library's malloc and free.
_libc = ctypes.CDLL(None)
malloc = _libc.malloc
malloc.restype = c_void_p
malloc.argtypes = [c_size_t]
free = _libc.free
free.restype = None
free.argtypes = [c_void_p]


def to_c(data):
    """@return a malloc'd copy of the bytes data (for a loader), or None."""
    p = malloc(len(data) or 1)
    if p:
        ctypes.memmove(p, data, len(data))
    return p
