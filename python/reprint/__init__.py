"""reprint - find near-duplicate (reprinted) news articles.

Python bindings of libreprint over ctypes: no compile step, the shared
library does all the work (MinHash, LSH, exact verification, clustering,
diff, the SQLite index). See docs/library.md.

    >>> import reprint
    >>> clusters = reprint.scan([("a", text_a), ("b", text_b), ...])
    >>> reprint.diff(text_a, text_b).score

Inputs are given as an iterable, consumed once, so rows can stream from a
pandas DataFrame or a Hugging Face dataset without a list in between. Each
item is one of:
  - (id, text): text is str, or bytes whose encoding is detected as
    `reprint scan` does for files (UTF-8, UTF-16 with a mark, else
    Windows-1252; HTML is reduced to its text);
  - a str: a text, with its position ("0", "1", ...) as id;
  - bytes: the raw bytes of an article, id its position;
  - an os.PathLike (pathlib.Path): a file, or every file below a folder
    (sorted, hidden names skipped, .html/.htm read as HTML), id the path.
"""
import ctypes
import os
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import List

from . import _lib
from ._lib import lib
from ctypes import c_void_p

__all__ = ["scan", "diff", "Corpus", "Index", "Cluster", "Member",
           "DiffResult", "Span", "ParagraphLink", "IndexResult", "Match",
           "ReprintError", "options", "version", "version_number",
           "library_path"]

#: The version of the library loaded.
version = lib.rp_version().decode()
version_number = lib.rp_version_number()
__version__ = version
#: Where the shared library was loaded from.
library_path = _lib.path

RP_OK, RP_ENOMEM, RP_ENOWORDS, RP_EDUPID, RP_ELOAD = 0, -1, -3, -4, -7
RP_EBINARY = -8
RP_TEXT_HTML, RP_TEXT_SNIFF_HTML = 1, 2
RP_INDEX_WRITE, RP_INDEX_CREATE = 1, 2
_BATCH = 256
_MIN_RUN = 5   # `reprint diff`'s default for --min-run


class ReprintError(Exception):
    """A libreprint error: .code is the RP_E* code (negative)."""

    def __init__(self, code, what=None, msg=None):
        self.code = code
        if msg is None:
            msg = lib.rp_strerror(code).decode()
        super().__init__("%s: %s" % (what, msg) if what else msg)


def _check(code, what=None):
    if code < 0:
        raise ReprintError(code, what)
    return code


class Options:
    """The library's rp_options object (opaque): its handle is .handle.
    Read a setting with o[name]."""

    def __init__(self):
        h = c_void_p()
        _check(lib.rp_options_new(ctypes.byref(h)), "options")
        self.handle = h

    def set(self, name, value):
        if name not in _lib.OPTION_CODES:
            raise ValueError("reprint: unknown option %r" % name)
        _check(lib.rp_options_set(self.handle, _lib.OPTION_CODES[name],
                                  float(value)), name)

    def __getitem__(self, name):
        v = ctypes.c_double()
        _check(lib.rp_options_get(self.handle, _lib.OPTION_CODES[name],
                                  ctypes.byref(v)), name)
        return v.value

    def __del__(self):
        if getattr(self, "handle", None):
            lib.rp_options_free(self.handle)
            self.handle = None


def options(**kw):
    """@return an Options object: the library defaults, changed by kw
    (shingle, hashes, threshold, lsh_threshold, bands, rows, min_shared,
    keep_boilerplate, furniture_df, exhaustive). Raises ValueError on an
    unknown name, ReprintError (RP_EINVAL) on a bad value."""
    o = Options()
    for k, v in kw.items():
        if v is not None:
            o.set(k, int(v) if isinstance(v, bool) else v)
    _check(lib.rp_options_check(o.handle), "options")
    return o


def _utf8(s):
    return s.encode("utf-8", "surrogatepass") if isinstance(s, str) else s


def _prepare(data, flags=RP_TEXT_SNIFF_HTML):
    """Runs rp_text_prepare on bytes: @return (pointer, length) of the
    malloc'd text (free with _lib.free), or raises ReprintError."""
    out = ctypes.c_void_p()
    n = ctypes.c_size_t()
    _check(lib.rp_text_prepare(data, len(data), flags, ctypes.byref(out),
                               ctypes.byref(n)))
    return out.value, n.value


def _is_html(path):
    return path.lower().endswith((".html", ".htm"))


def _read_file(path):
    """Reads and prepares a file as `reprint scan` does: @return bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    p, n = _prepare(raw, RP_TEXT_HTML if _is_html(path) else RP_TEXT_SNIFF_HTML)
    try:
        return ctypes.string_at(p, n) if n else b""
    finally:
        _lib.free(p)


def _hand_over(data, text, length):
    """Gives the bytes data to the library as a loader's result (a copy
    it frees). @return RP_OK, or RP_ENOMEM."""
    p = _lib.to_c(data)
    if not p:
        return RP_ENOMEM
    text[0] = p
    length[0] = len(data)
    return RP_OK


def _walk(path):
    if not os.path.isdir(path):
        yield path
        return
    for top, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if not f.startswith("."):
                yield os.path.join(top, f)


def _items(items):
    """Turns the inputs into (id, kind, value): kind "file" (value a path)
    or "bytes" (raw bytes to prepare)."""
    for pos, it in enumerate(items):
        if isinstance(it, os.PathLike):
            for p in _walk(os.fspath(it)):
                yield p, "file", p
        elif isinstance(it, (str, bytes, bytearray)):
            yield str(pos), "bytes", _utf8(it)
        else:
            ident, text = it
            yield str(ident), "bytes", _utf8(text)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

@dataclass
class Member:
    """One article of a cluster, compared with the representative."""
    id: str
    index: int               # its position among the documents added
    score: float             # the rule's score against the representative
    jaccard: float           # Jaccard of the two shingle sets
    containment: float       # share of this article found in the repr.
    reverse_containment: float  # share of the representative found in it


@dataclass
class Cluster:
    """Articles that are reprints of one representative (members[0])."""
    representative: str
    members: List[Member] = field(default_factory=list)

    def ids(self):
        return [m.id for m in self.members]


@dataclass
class Span:
    """A passage both texts share: text[a_start:a_end] of A (bytes of its
    UTF-8) is text[b_start:b_end] of B."""
    text: str
    words: int
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    moved: bool


@dataclass
class ParagraphLink:
    """One line of the paragraph map (paragraph numbers from 1): relation
    is "same", "inside", "holds", "overlap" (a, b, words, a_share,
    b_share) or "only_a", "only_b" (first, last, note)."""
    relation: str
    a: int = 0
    b: int = 0
    words: int = 0
    a_share: float = 0.0
    b_share: float = 0.0
    first: int = 0
    last: int = 0
    note: str = ""


@dataclass
class DiffResult:
    """What `reprint diff` reports about two texts."""
    score: float
    jaccard: float
    containment_ab: float
    containment_ba: float
    shared: int          # shared shingles
    similar: bool
    words_a: int
    words_b: int
    shared_words: int
    spans: List[Span]
    paragraphs: List[ParagraphLink]


_REL = ["same", "inside", "holds", "overlap", "only_a", "only_b"]
_NOTE = ["", "comments", "furniture"]


def diff(a, b, min_run=_MIN_RUN, **opts):
    """Compares text a with text b (str or bytes) as `reprint diff` does.
    opts as for options(). @return a DiffResult."""
    o = options(**opts)
    ab, bb = _utf8(a), _utf8(b)
    d = _lib.Diff()
    _check(lib.rp_diff_texts(ab, len(ab), bb, len(bb), o.handle,
                             min_run, ctypes.byref(d)), "diff")
    try:
        spans = []
        for i in range(d.nspans):
            s = d.spans[i]
            spans.append(Span(ab[s.a_start:s.a_end].decode("utf-8", "replace"),
                              s.words, s.a_start, s.a_end, s.b_start, s.b_end,
                              bool(s.moved)))
        links = []
        for i in range(d.nlinks):
            ln = d.links[i]
            rel = _REL[ln.rel]
            if rel.startswith("only"):
                links.append(ParagraphLink(rel, first=ln.first + 1,
                                           last=ln.last + 1,
                                           note=_NOTE[ln.note]))
            else:
                links.append(ParagraphLink(rel, ln.a + 1, ln.b + 1, ln.words,
                                           ln.a_share, ln.b_share))
        s = d.sim
        return DiffResult(s.score, s.jaccard, s.containment_ab,
                          s.containment_ba, s.shared, bool(s.similar),
                          d.words_a, d.words_b, d.shared_words, spans, links)
    finally:
        lib.rp_diff_clear(ctypes.byref(d))


# ---------------------------------------------------------------------------
# Corpus: scan many articles
# ---------------------------------------------------------------------------

class _Spool:
    """The prepared texts of a corpus in a temporary file, read again for
    verification (as `reprint scan` spools standard input): memory stays
    small however many rows stream in."""

    def __init__(self):
        self.f = tempfile.TemporaryFile()
        self.off = 0

    def put(self, data):
        self.f.write(data)
        at = self.off
        self.off += len(data)
        return at

    def get(self, at, n):
        # thread-safe: no shared file position (flush() before reading)
        return os.pread(self.f.fileno(), n, at)

    def close(self):
        self.f.close()


class Corpus:
    """Many articles, added one at a time or streamed, then clustered once
    with run(). The C corpus keeps about 600 bytes per article; texts are
    spooled to a temporary file (files are read again) for verification.

        c = reprint.Corpus(threshold=0.6)
        c.add_many((row.id, row.text) for row in df.itertuples())
        clusters = c.run()

    threads: sketching and verification threads (default: CPUs).
    on_error: "warn" (default), "ignore" or "raise" for an article that
    cannot be read or has no words; skipped ones are listed in .skipped.
    """

    def __init__(self, threads=None, on_error="warn", **opts):
        self._o = options(**opts)
        self._threads = max(1, min(256, threads or os.cpu_count() or 1))
        if on_error not in ("warn", "ignore", "raise"):
            raise ValueError("reprint: on_error must be warn, ignore or raise")
        self._on_error = on_error
        c = c_void_p()
        _check(lib.rp_corpus_new(self._o.handle, ctypes.byref(c)), "corpus")
        self._c = c
        self._spool = _Spool()
        self._where = []      # per document: ("spool", at, n) or ("file", path)
        self._lock = threading.Lock()
        self._load_error = None
        self._loader = _lib.LOAD_FN(self._load)
        _check(lib.rp_corpus_set_loader(self._c, self._loader, None))
        _check(lib.rp_corpus_set_threads(self._c, self._threads))
        self._ran = False
        self.skipped = []     # (id, reason)
        self.stats = None

    def __del__(self):
        self.close()

    def close(self):
        """Frees the corpus (also done when it is garbage collected)."""
        if getattr(self, "_c", None):
            lib.rp_corpus_free(self._c)
            self._c = None
            self._spool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __len__(self):
        return lib.rp_corpus_size(self._c)

    def _load(self, ctx, doc, text, length):
        # called by rp_corpus_run, maybe from several threads at once
        try:
            w = self._where[doc]
            data = (self._spool.get(w[1], w[2]) if w[0] == "spool"
                    else _read_file(w[1]))
            return _hand_over(data, text, length)
        except Exception as e:          # never unwind through C
            self._load_error = e
            return RP_ELOAD

    def _skip(self, ident, why):
        self.skipped.append((ident, why))
        if self._on_error == "raise":
            raise ReprintError(RP_ELOAD, ident, why)
        if self._on_error == "warn":
            warnings.warn("reprint: %s: skipped: %s" % (ident, why),
                          stacklevel=4)

    def _sketch(self, item):
        """Prepares and sketches one item: @return (id, where, text
        bytes or None, doc pointer or None, reason)."""
        ident, kind, value = item
        p = None
        try:
            if kind == "file":
                with open(value, "rb") as f:
                    raw = f.read()
                flags = RP_TEXT_HTML if _is_html(value) else RP_TEXT_SNIFF_HTML
            else:
                raw, flags = bytes(value), RP_TEXT_SNIFF_HTML
            p, n = _prepare(raw, flags)
            d = c_void_p()
            err = lib.rp_doc_new(p, n, self._o.handle, ctypes.byref(d))
            if err != RP_OK:
                return ident, kind, None, None, lib.rp_strerror(err).decode()
            text = ctypes.string_at(p, n) if kind != "file" else value
            return ident, kind, text, d, None
        except ReprintError as e:
            return ident, kind, None, None, str(e)
        except OSError as e:
            return ident, kind, None, None, e.strerror or str(e)
        finally:
            if p:
                _lib.free(p)

    def _add_sketched(self, r):
        ident, kind, text, d, why = r
        if d is None:
            self._skip(ident, why)
            return
        k = lib.rp_corpus_add(self._c, ident.encode("utf-8", "surrogateescape"),
                              d, None)
        if k == RP_EDUPID:
            self._skip(ident, "duplicate id")
            return
        _check(k, ident)
        if kind == "file":
            self._where.append(("file", text))
        else:
            self._where.append(("spool", self._spool.put(text), len(text)))

    def add(self, ident, text):
        """Adds one article (text: str or bytes)."""
        self.add_many([(ident, text)])

    def add_many(self, items):
        """Adds the articles of an iterable (see the module's help for the
        kinds of item), sketching a batch on the threads while the next
        one is read. @return the number of articles in the corpus."""
        if self._ran:
            raise ReprintError(-6, "add after run")
        it = _items(items)
        with ThreadPoolExecutor(self._threads) as ex:
            while True:
                batch = [x for _, x in zip(range(_BATCH), it)]
                if not batch:
                    break
                results = list(ex.map(self._sketch, batch)) \
                    if self._threads > 1 else [self._sketch(b) for b in batch]
                for i, r in enumerate(results):
                    try:
                        self._add_sketched(r)
                    except BaseException:
                        for x in results[i + 1:]:   # the corpus owns the rest
                            if x[3]:
                                lib.rp_doc_free(x[3])
                        raise
        return len(self)

    def run(self, singletons=False):
        """Finds, verifies and clusters the reprints. @return the clusters
        (list of Cluster), those with two or more members first; articles
        with no reprint only when singletons is true."""
        if not self._ran:
            self._spool.f.flush()
            _check(lib.rp_corpus_run(self._c), "run")
            self._ran = True
            st = _lib.RunStats()
            lib.rp_corpus_stats(self._c, ctypes.byref(st))
            self.stats = {f[0]: getattr(st, f[0]) for f in st._fields_}
            for i in range(len(self)):
                if lib.rp_corpus_lost(self._c, i) < 0:
                    self._skip(self._id(i), "could not be read again to verify")
        out = []
        for i in range(lib.rp_corpus_nclusters(self._c)):
            n = lib.rp_cluster_size(self._c, i)
            if n < 2 and not singletons:
                break
            rep = lib.rp_cluster_representative(self._c, i)
            cl = Cluster(self._id(rep))
            for j in range(n):
                m = lib.rp_cluster_member(self._c, i, j).contents
                # share of the representative found in the member
                rev = 1.0 if m.doc == rep else m.holds
                cl.members.append(Member(self._id(m.doc), m.doc, m.score,
                                         m.jaccard, m.containment, rev))
            out.append(cl)
        return out

    def pairs(self):
        """@return every verified pair after run(), as (id_a, id_b, score,
        jaccard, containment_ab, containment_ba) tuples."""
        if not self._ran:
            self.run()
        out = []
        for i in range(lib.rp_corpus_npairs(self._c)):
            p = lib.rp_corpus_pair(self._c, i).contents
            s = p.sim
            out.append((self._id(p.a), self._id(p.b), s.score, s.jaccard,
                        s.containment_ab, s.containment_ba))
        return out

    def _id(self, i):
        return lib.rp_corpus_id(self._c, i).decode("utf-8", "surrogateescape")


def scan(items, singletons=False, threads=None, on_error="warn", **opts):
    """Finds the reprints among items (texts, (id, text) pairs or paths;
    see the module's help) as `reprint scan` does. opts as for options().
    @return a list of Cluster, those of two or more articles (all with
    singletons=True)."""
    with Corpus(threads=threads, on_error=on_error, **opts) as c:
        c.add_many(items)
        return c.run(singletons=singletons)


# ---------------------------------------------------------------------------
# Index: the persistent SQLite index of `reprint index`
# ---------------------------------------------------------------------------

@dataclass
class Match:
    """An indexed article a new one matched (sim: a = the new one)."""
    id: str
    score: float
    jaccard: float
    containment_ab: float
    containment_ba: float
    exact: bool              # compared on the texts (else from samples)


@dataclass
class IndexResult:
    status: str              # "new", "unchanged", "replaced"
    cluster: int             # the cluster joined (0: a new one would start)
    matches: List[Match]


_STATUS = ["new", "unchanged", "replaced"]


class Index:
    """The persistent, incremental index of `reprint index` (SQLite).

        with reprint.Index("news.idx", create=True) as ix:
            r = ix.add("a1", text)          # IndexResult
            ix.query(other_text).matches
            for cluster in ix.export(): ...
            ix.stats()

    write: open for writing (implied by create). create: create it when
    missing, with opts (as for options()) as its settings. Texts added
    with a path are read again from it for exact verification.
    """

    def __init__(self, path, write=False, create=False, **opts):
        ix = c_void_p()
        _check(lib.rp_index_new(ctypes.byref(ix)), "index")
        self._ix = ix
        flags = (RP_INDEX_WRITE if write or create else 0) | \
            (RP_INDEX_CREATE if create else 0)
        o = options(**opts) if opts else None
        self._loader = _lib.INDEX_LOAD_FN(self._load)
        lib.rp_index_set_loader(self._ix, self._loader, None)
        rc = lib.rp_index_open(self._ix, os.fsencode(path), flags,
                               o.handle if o else None, -1)
        if rc < 0:
            msg = lib.rp_index_errmsg(self._ix)
            lib.rp_index_free(self._ix)
            self._ix = None
            raise ReprintError(rc, "%s: %s" % (path, msg.decode()) if msg else path)
        self._o = Options()
        sb = ctypes.c_int()
        self._check(lib.rp_index_options(self._ix, self._o.handle,
                                         ctypes.byref(sb)))

    def _check(self, rc):
        if rc < 0:
            msg = lib.rp_index_errmsg(self._ix)
            raise ReprintError(rc, msg.decode() if msg else None)
        return rc

    @staticmethod
    def _load(ctx, path, text, length):
        try:
            data = _read_file(os.fsdecode(path))
            return _hand_over(data, text, length)
        except Exception:               # never unwind through C
            return RP_ELOAD

    def close(self):
        if getattr(self, "_ix", None):
            lib.rp_index_free(self._ix)
            self._ix = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _doc(self, data):
        p, n = _prepare(data)
        try:
            d = c_void_p()
            err = lib.rp_doc_new(p, n, self._o.handle, ctypes.byref(d))
            if err != RP_OK:
                raise ReprintError(err)
            title = None
            for line in ctypes.string_at(p, n).split(b"\n"):
                line = line.strip(b" \t\r#")
                if line:
                    title = line[:200]
                    break
            return d, title
        finally:
            _lib.free(p)

    @staticmethod
    def _result(r):
        ms = []
        for i in range(r.n):
            m = r.m[i]
            ms.append(Match(m.id.decode("utf-8", "surrogateescape"),
                            m.sim.score, m.sim.jaccard, m.sim.containment_ab,
                            m.sim.containment_ba, bool(m.exact)))
        return IndexResult(_STATUS[r.status], r.cluster, ms)

    def add(self, ident, text=None, path=None, title=None):
        """Adds an article: text (str or bytes), or the file at path (read
        again to verify later matches exactly). @return an IndexResult."""
        if text is None:
            if path is None:
                raise ValueError("reprint: add needs a text or a path")
            data = open(path, "rb").read()
        else:
            data = _utf8(text)
        d, t = self._doc(data)
        r = _lib.IndexResult()
        try:
            self._check(lib.rp_index_add(
                self._ix, str(ident).encode(), os.fsencode(path) if path else None,
                _utf8(title) if title is not None else t, len(data), d,
                ctypes.byref(r)))
            return self._result(r)
        finally:
            lib.rp_index_result_free(ctypes.byref(r))
            lib.rp_doc_free(d)

    def add_many(self, items):
        """Adds (id, text) pairs in one transaction. @return their
        IndexResults."""
        self._check(lib.rp_index_begin(self._ix))
        try:
            out = [self.add(i, t) for i, t in items]
        except BaseException:
            lib.rp_index_rollback(self._ix)
            raise
        self._check(lib.rp_index_commit(self._ix))
        return out

    def query(self, text, ident=None):
        """Finds the indexed articles text matches, without adding it.
        @return an IndexResult."""
        d, _ = self._doc(_utf8(text))
        r = _lib.IndexResult()
        try:
            self._check(lib.rp_index_query(
                self._ix, str(ident).encode() if ident is not None else None,
                d, ctypes.byref(r)))
            return self._result(r)
        finally:
            lib.rp_index_result_free(ctypes.byref(r))
            lib.rp_doc_free(d)

    def remove(self, ident):
        """Removes an article. Raises ReprintError (RP_ENOTFOUND) when
        there is none with this id."""
        self._check(lib.rp_index_remove(self._ix, str(ident).encode()))

    def stats(self):
        """@return a dict: docs, clusters, pairs, bytes, bands, rows."""
        st = _lib.IndexStats()
        self._check(lib.rp_index_stats_get(self._ix, ctypes.byref(st)))
        return {f[0]: getattr(st, f[0]) for f in st._fields_}

    def export(self, singletons=False):
        """Clusters the indexed articles as `reprint index export` does.
        @return a list of Cluster (members carry id, jaccard and
        containment against the representative; index, score and
        reverse_containment are not stored: None)."""
        out = []
        err = []

        def cb(ctx, cluster, m, n):
            try:
                if n < 2 and not singletons:
                    return 0
                ms = [Member(m[j].id.decode("utf-8", "surrogateescape"),
                             None, None, m[j].jaccard, m[j].containment,
                             None) for j in range(n)]
                out.append(Cluster(ms[0].id, ms))
                return 0
            except Exception as e:      # never unwind through C
                err.append(e)
                return 1

        rc = lib.rp_index_export(self._ix, _lib.EXPORT_FN(cb), None)
        if err:
            raise err[0]
        self._check(rc)
        return out
