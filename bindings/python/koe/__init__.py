"""koe (声): Japanese customer voices to labelled clusters, from Python.

The native library does the work (normalize, MeCab, TF-IDF, spherical k-means, descriptions) with
the GIL released; this package turns lists, numpy arrays and pandas objects into its inputs and its
results into numpy arrays, scipy matrices and pandas frames. Results equal the ``koe`` command's for
the same options and seed.

Example::

    import koe
    voices = koe.read_voices("voices.csv")            # pandas DataFrame: id, text, status, ...
    model = koe.Pipeline(k=8, seed=5).fit(voices)     # or .fit(voices["text"], meta=voices)
    model.labels_                                     # numpy int32, -1 = noise or empty
    model.clusters_frame()                            # one row per cluster: label, size, terms
    print(model.report())                             # the table `koe cluster` prints

Errors: :class:`KoeError` (a ``RuntimeError``) is the base of everything koe raises, with a ``code``
attribute naming the ``koe::errc`` value. :class:`InputError` (also a ``ValueError``) is bad input:
unreadable file, bad encoding, malformed record, missing column, nothing to cluster; its message
reads ``FILE:LINE: what is wrong`` where a line is known. :class:`OptionError` (also a
``ValueError``) is an option outside its domain. Wrong Python types raise ``TypeError``.
"""

from __future__ import annotations

import inspect
import io
import json
import os

import numpy as np

from . import _continuity, _koe, _trends
from ._continuity import Trend, changes, check_outputs, trend
from ._io import read_voices
from ._koe import InputError, KoeError, OptionError

__version__ = _koe.__version__

__all__ = [
    "Pipeline",
    "Model",
    "load",
    "tokenize",
    "normalize",
    "read_voices",
    "data_directory",
    "check_outputs",
    "changes",
    "trend",
    "Trend",
    "KoeError",
    "InputError",
    "OptionError",
    "NotFittedError",
    "__version__",
]

# Columns of read_voices() that carry koe's own bookkeeping rather than the file's metadata.
_RESERVED = ("id", "text", "status", "reason", "timestamp", "record", "line")


class NotFittedError(ValueError, AttributeError):
    """A fitted attribute or method was used before :meth:`Pipeline.fit`."""


def data_directory() -> str:
    """Directory of koe's bundled data (stop words, lexicons); empty when none is found."""
    return _koe.data_directory()


def _is_pandas(obj, name):
    return type(obj).__module__.startswith("pandas") and type(obj).__name__ == name


def _values(column):
    """A list of Python values from a list, tuple, numpy array or pandas Series, missing -> None.

    pandas and numpy convert in C (``tolist``); only the conversion to ``str`` is left to the
    native module, which treats ``None`` and NaN as a missing value.
    """
    if _is_pandas(column, "Series") or _is_pandas(column, "Index"):
        return column.astype(object).where(column.notna(), None).tolist()
    if isinstance(column, np.ndarray):
        if column.ndim != 1:
            raise ValueError(f"expected a 1-D array, got shape {column.shape}")
        return column.tolist()
    if isinstance(column, (str, bytes)):
        raise TypeError("expected a sequence of texts, got a single str; wrap it in a list")
    if isinstance(column, (list, tuple)):
        return column
    return list(column)


def _meta_columns(meta, n):
    """Ordered {name: values} from a pandas DataFrame or a dict of columns, each of length n."""
    if meta is None:
        return {}
    if _is_pandas(meta, "DataFrame"):
        items = [(str(name), meta[name]) for name in meta.columns]
    elif isinstance(meta, dict):
        items = [(str(name), column) for name, column in meta.items() if name != "_attrs"]
    else:
        raise TypeError(f"meta must be a pandas DataFrame or a dict of columns, not "
                        f"{type(meta).__name__}")
    columns = {}
    for name, column in items:
        values = _values(column)
        if len(values) != n:
            raise ValueError(f"meta column '{name}' has {len(values)} values for {n} texts")
        columns[name] = values
    return columns


def _path_list(value, name):
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [os.fspath(value)]
    try:
        return [os.fspath(v) for v in value]
    except TypeError:
        raise TypeError(f"{name} must be a path or a list of paths") from None


# Every option, described once by the library: name, command-line spelling, scope, default, help.
_OPTIONS = _koe.options()


def _option_names(*scopes):
    return [o["name"] for o in _OPTIONS if o["scope"] in scopes]


_PIPELINE_SCOPES = ("text", "model", "scoring")


def _check_names(given, allowed):
    unknown = set(given) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")


def _signature(names, first):
    """A signature of (self?, first, *, names...) with the library's defaults."""
    defaults = {o["name"]: o["default"] for o in _OPTIONS}
    P = inspect.Parameter
    params = [P(first, P.POSITIONAL_OR_KEYWORD, default=defaults.get(first))]
    params += [P(n, P.KEYWORD_ONLY, default=defaults[n]) for n in names if n != first]
    return params


def _require(module, what):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        raise ImportError(f"{what} needs {module} (Debian: apt install python3-"
                          f"{module.split('.')[0]})") from None


def _csr(arrays):
    sparse = _require("scipy.sparse", "a TF-IDF matrix")
    data, indices, indptr, shape = arrays
    # The arrays are fresh and of scipy's own dtypes, so csr_matrix wraps them without a copy.
    return sparse.csr_matrix((data, indices, indptr), shape=shape, copy=False)


def _representatives(reps, position):
    """Representatives as clusters.json / candidates.json list them, with their position."""
    return [{"index": position.get(r["id"], -1), "id": r["id"], "text": r["text"]}
            for r in reps]


def _clusters(model, position):
    """``clusters_`` from the clusters.json the library writes (no schema of our own)."""
    return [{"id": c["id"], "label": c["label"], "size": c["size"], "share": c["share"],
             "cohesion": c["cohesion"], "duplicates": c["duplicates"],
             "terms": [(t["term"], t["weight"]) for t in c["terms"]],
             "representatives": _representatives(c["representatives"], position)}
            for c in json.loads(model.report("json"))["clusters"]]


def _candidates(model, position):
    """``candidates_`` from the candidates.json the library writes."""
    out = []
    for c in json.loads(model.report("candidates")):
        decision = c.get("decision") or {}
        out.append({
            "rank": c["rank"], "cluster": c["cluster"], "key": c["key"], "label": c["label"],
            "size": c["size"], "share": c["signals"]["frequency"]["share"],
            **{name: c["scores"][name]
               for name in ("frequency", "impact", "difficulty", "adoption")},
            "difficulty_level": c["difficulty_level"], "quadrant": c["quadrant"],
            "recommended": c["recommended"], "small_high_impact": c["small_high_impact"],
            "decision": decision.get("status", "undecided"),
            "decision_reason": decision.get("reason", ""),
            "decision_date": decision.get("date", ""), "reasons": c["reasons"],
            "representatives": _representatives(c["representatives"], position)})
    return out


class Model:
    """What a fit learned, on its own: vocabulary, idf, centroids and cluster table.

    Read-only. Get one from :attr:`Pipeline.model` after a fit, or from a model file with
    :func:`load` (``koe cluster`` writes ``OUTDIR/model.koe``); write one with :meth:`save`.
    The file is koe's own format (docs/model-format.md), checked when read: a damaged,
    truncated, foreign or newer file raises :class:`InputError` (``code`` "invalid_model").
    Models are never pickled: a pickle would run code when loaded and would not be checked.

    Attributes
    ----------
    k : int
        Number of clusters (rows of ``centroids``).
    vocabulary : list of str
        Terms in column order (sorted by code point).
    idf : numpy.ndarray of float32, shape (n_terms,)
        Inverse document frequency of each term.
    centroids : numpy.ndarray of float32, shape (k, n_terms) or (k, n_dimensions)
        Unit-length cluster centroids; over the LSA dimensions when the fit used ``reduce``.
    clusters : list of dict
        One per cluster, in centroid order: id, label, key_terms (best first), size, cohesion.
    dictionary : str
        The MeCab dictionary the fit tokenized with.
    koe_version : str
        Version of the koe that wrote the file (this koe's for a model not read from a file).
    format : int
        Model file format of the file (the one :meth:`save` writes, for a model not read from a
        file).

    New voices go to the model's clusters with :meth:`predict` / :meth:`predict_frame`, as
    ``koe assign`` puts them (the same library code, so the same ids, similarities and
    statuses), and into its space with :meth:`transform` / :meth:`tfidf`; the model never changes
    and nothing is refitted. These run without the GIL, one call at a time per model.

    Example
    -------
    >>> model = koe.Pipeline(k=8).fit(texts).model
    >>> model.save("voices.koe")
    >>> koe.load("voices.koe").clusters[0]["label"]
    'アプリ・落ちる・起動'
    >>> koe.load("out/model.koe").predict(["アプリがすぐ落ちる", "駐車場が狭い"])
    array([ 0, -1], dtype=int32)
    """

    __slots__ = ("_native", "_cache")

    def __init__(self, native):
        if not isinstance(native, _koe.FittedModel):
            raise TypeError("koe.Model is made by Pipeline.model or koe.load(path)")
        self._native = native
        self._cache = {}

    def _cached(self, name, make):
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    @staticmethod
    def _read_only(array):
        array.flags.writeable = False
        return array

    @property
    def k(self):
        """Number of clusters."""
        return self._native.k()

    @property
    def vocabulary(self):
        """Terms in column order (a new list each time)."""
        return list(self._cached("vocabulary", self._native.vocabulary))

    @property
    def idf(self):
        """Inverse document frequency of each term (read-only float32 array)."""
        return self._cached("idf", lambda: self._read_only(self._native.idf()))

    @property
    def centroids(self):
        """Cluster centroids, one unit row per cluster (read-only float32 array)."""
        return self._cached("centroids", lambda: self._read_only(self._native.centroids()))

    @property
    def clusters(self):
        """The cluster table: id, label, key_terms, size, cohesion (a new list each time)."""
        return [{**c, "key_terms": list(c["key_terms"])}
                for c in self._cached("clusters", self._native.clusters)]

    @property
    def period(self):
        """The fit's period label: "2026-10", a ``period_name``, or "run N" (docs/continuity.md)."""
        return self._native.period()

    @property
    def next_id(self):
        """The id the next new cluster of a refit gets (ids are never reused)."""
        return self._native.next_id()

    @property
    def dormant(self):
        """Clusters a refit left unmatched, kept so that they can return: id, label, born, status."""
        return self._native.dormant()

    @property
    def dictionary(self):
        """The MeCab dictionary the fit tokenized with."""
        return self._native.dictionary()

    @property
    def koe_version(self):
        """Version of the koe that wrote the model file."""
        return self._native.koe_version()

    @property
    def format(self):
        """Model file format."""
        return self._native.format()

    def save(self, path):
        """Writes the model to ``path`` (atomically: an interrupted save leaves no partial file).

        The bytes equal those ``koe cluster`` writes to ``model.koe`` for the same fit.
        """
        self._native.save(os.fspath(path))

    def predict(self, texts, *, new_theme="auto", new_theme_percentile=5, new_theme_floor=0.02,
                allow_dictionary_change=False, threads=0):
        """Stable cluster id of each text (int32 array), as ``koe assign`` gives it.

        -1 for a voice in no cluster: empty, noise, or a new theme (far from every cluster, or no
        term the model knows). ``texts`` is a sequence of str or a table with a ``text`` column.
        ``new_theme`` is "auto" (a threshold per cluster: its ``new_theme_percentile``-th
        percentile of similarity at the fit, at least ``new_theme_floor``), "off" or a
        similarity (docs/assign.md). A different MeCab dictionary than the model's raises
        :class:`KoeError` (code "dictionary_mismatch") unless ``allow_dictionary_change``.
        """
        return self._predict(texts, new_theme, new_theme_percentile, new_theme_floor,
                             allow_dictionary_change, threads)[0]

    def predict_frame(self, texts, *, new_theme="auto", new_theme_percentile=5,
                      new_theme_floor=0.02, allow_dictionary_change=False, threads=0):
        """One row per text: id, cluster, similarity, status, reason (pandas.DataFrame).

        The columns of ``koe assign``'s assignments.csv; status is clustered, noise, empty or
        new_theme, and reason says why a voice is not clustered. ``id`` is the table's ``id``
        column or the Series index when there is one, else the 0-based position. Options as
        :meth:`predict`.
        """
        pd = _require("pandas", "predict_frame()")
        ids = None
        if _is_pandas(texts, "DataFrame") or isinstance(texts, dict):
            ids = list(texts["id"]) if "id" in texts else None
        elif _is_pandas(texts, "Series"):
            ids = texts.index.tolist()
        cluster, similarity, status, reason = self._predict(
            texts, new_theme, new_theme_percentile, new_theme_floor, allow_dictionary_change,
            threads)
        return pd.DataFrame({"id": ids if ids is not None else list(range(len(cluster))),
                             "cluster": cluster, "similarity": similarity, "status": status,
                             "reason": reason})

    def transform(self, texts, *, threads=0):
        """``texts`` in the space of the centroids, with no refit.

        Their LSA coordinates (numpy float32, one unit row per text) when the model was fitted
        with ``reduce``, else their TF-IDF rows (:meth:`tfidf`). Texts are normalized and
        tokenized as the fit did; terms the model does not know are ignored.
        """
        out = self._native.transform(_values(_texts_of(texts)), threads)
        return _csr(out) if isinstance(out, tuple) else out

    def tfidf(self, texts, *, threads=0):
        """TF-IDF rows of ``texts`` in the model's vocabulary and idf (scipy CSR, float32)."""
        return _csr(self._native.tfidf(_values(_texts_of(texts)), threads))

    def _predict(self, texts, new_theme, percentile, floor, allow, threads):
        params = {"new_theme": new_theme, "new_theme_percentile": percentile,
                  "new_theme_floor": floor, "allow_dictionary_change": allow, "threads": threads}
        return self._native.predict(_values(_texts_of(texts)), params)

    def __repr__(self):
        terms = len(self._cached("vocabulary", self._native.vocabulary))
        return f"<koe.Model k={self.k} terms={terms} koe {self.koe_version}, format {self.format}>"

    def __reduce_ex__(self, protocol):
        raise TypeError("koe.Model cannot be pickled; write it with Model.save(path) and read it "
                        "back with koe.load(path)")

    def __reduce__(self):
        return self.__reduce_ex__(2)

    def __copy__(self):
        return self  # read-only: a copy would be indistinguishable

    def __deepcopy__(self, memo):
        return self


def _texts_of(texts):
    """The text column of a table (a DataFrame or dict with ``text``), or ``texts`` itself."""
    if _is_pandas(texts, "DataFrame") or isinstance(texts, dict):
        if "text" not in texts:
            raise ValueError("the table has no 'text' column; pass table['your_column']")
        return texts["text"]
    return texts


def load(path):
    """Reads a model file (``model.koe``) written by ``koe cluster`` or :meth:`Model.save`.

    Raises
    ------
    InputError
        The file cannot be read (``code`` "io_failure"), or is not a koe model file, is damaged
        or truncated, or has a newer format than this koe reads (``code`` "invalid_model").
    """
    return Model(_koe.load_model(os.fspath(path)))


class Pipeline:
    """Clusters Japanese customer voices: normalize, tokenize (MeCab), TF-IDF, spherical k-means.

    Parameters are ``koe cluster``'s options (``koe cluster --help``), described once in the
    library with their defaults and checks; the same values and seed give the same clusters as
    the command, for any ``threads``. Bad values raise :class:`OptionError` at ``fit``.

    Parameters
    ----------
    k : "auto" or int, default "auto"
        Number of clusters; "auto" picks the best mean cosine silhouette in [k_min, k_max].
    seed : int, default 1234
        Random seed of k-means++ and LSA. The same seed gives the same result.
    threads : int or None, default None
        Worker threads (None = all cores). Never changes the result.
    reduce : None, int or "lsa:N", default None
        Reduce the TF-IDF rows to N LSA dimensions before clustering.
    min_df, max_df : int or float, default 2 and 1.0
        Drop terms in fewer / more documents: an int is a count, a float a fraction of documents.
    max_features : int or None, default None
        Keep only the most frequent terms.
    n_init : int, default 3
        k-means restarts; the best objective wins.
    max_iter : int, default 100
    tol : float, default 1e-4
        Stop when the objective improves by less than this fraction.
    k_min, k_max : int, default 2 and 30
        Range of k tried by ``k="auto"``.
    auto_sample, silhouette_sample : int, default 20000 and 2000
        ``k="auto"`` clusters at most auto_sample texts per k (a fixed sample) and computes the
        silhouette on at most silhouette_sample of them.
    seed_sample : int, default 100000
        k-means++ seeding looks at this many texts, a fixed sample (0 = all).
    merge_factor : int, default 1
        Over-cluster to merge_factor * k clusters, then merge the closest down to k.
    min_similarity : float, default 0.0
        Voices less similar than this to their cluster become noise (label -1).
    compounds : {"off", "join", "parts_and_join"}, default "parts_and_join"
        Noun runs: each noun alone, one joined term, or both.
    join_negation : bool, default True
        使え + ない becomes the term 使えない.
    fold_numbers : bool, default True
        Numbers become the single term <数>.
    stopwords : path or list of paths, optional
        Extra stop-word files (one term per line).
    extra_stopwords : list of str, optional
    use_default_stopwords : bool, default True
        Load koe's bundled stop-word list too.
    dicdir : path, optional
        MeCab dictionary directory (default: the system ipadic-utf8).
    userdic : path or list of paths, optional
        Compiled MeCab user dictionaries.
    remove_emoji : bool, default False
    top_terms, label_terms, n_representatives : int, default 10, 3, 5
        Terms listed per cluster, terms joined into its label, representative voices.
    config : path, optional
        Scoring configuration (koe.toml: weights, thresholds, lexicon, difficulty rules), as
        ``koe cluster --config``; default: built-in weights, bundled lexicon and rules.
    decisions : path or pandas DataFrame, optional
        Decisions (columns key, decision, reason, date) carried to the matching clusters, as
        ``koe cluster --decisions``.
    contacts : path, optional
        Contact log (contributor, cluster, stage, date) of the follow-up plan, as
        ``koe cluster --contacts``: a stage once told is never proposed again.
    as_of : str, optional
        The programme's date (YYYY-MM-DD) for days in a stage and follow-up dates, as
        ``koe cluster --as-of``; default: the latest date of the voices, decisions and contacts.
    report_top : int, default 5
        Candidates shown in detail in the HTML report and the candidates table.
    period : {"auto", "week", "month", "quarter"}, optional
        Periods of :meth:`trends_frame` and :meth:`alerts_frame` (texts dated by ``meta``'s
        created_at), as ``koe cluster --period``; default: ``[frequency] period``, else month.

    Attributes (after fit)
    ----------------------
    labels_ : numpy.ndarray of int32, shape (n_texts,)
        Cluster of each text; -1 for noise, empty texts and rejected records.
    similarity_ : numpy.ndarray of float32, shape (n_texts,)
        Cosine similarity to the text's cluster centroid; NaN for empty texts.
    clusters_ : list of dict
        One per cluster: id, label, size, share, cohesion, duplicates, terms [(term, weight)],
        representatives [{index, id, text}] (index = position of the first fitted text with
        that id), as clusters.json records them (figures rounded as there).
    n_clusters_ : int
        Number of clusters (the chosen one with k="auto").
    k_curve_ : list of (k, silhouette)
        Filled when k was chosen automatically.
    timings_ : dict of str to float
        Seconds per stage.
    tfidf_ : scipy.sparse.csr_matrix of float32, shape (n_texts, n_terms)
        TF-IDF rows; all-zero rows for texts that were not vectorized.
    vocabulary_ : dict of str to int
        Term -> column of ``tfidf_``.
    terms_ : list of list of str
        Terms of each text after tokenizing and filtering.
    reduced_ : numpy.ndarray of float32, shape (n_texts, N), or None
        The LSA rows clustered when ``reduce`` is set.
    candidates_ : list of dict
        Clusters scored as adoption candidates (on first use of a scoring output), best first: rank, cluster, key, label, size,
        share, frequency, impact, difficulty, adoption (scores in [0, 1]), difficulty_level,
        quadrant, recommended, small_high_impact, decision, decision_reason, decision_date,
        reasons (list of str, Japanese), representatives [{index, id, text}].
    notes_ : list of str
        Signals scoring could not use (no rating column, ...).
    unmatched_decisions_ : list of dict
        Rows of ``decisions`` that matched no cluster (key, decision, reason, date, line).

    Not thread-safe: one fit or transform at a time per Pipeline (others may run in parallel).

    Example
    -------
    >>> model = koe.Pipeline(k=8, seed=5).fit(["配達が遅い", "アプリが重い", ...])
    >>> model.labels_[:3]
    array([5, 2, ...], dtype=int32)
    """

    def __init__(self, k="auto", **params):
        # As in scikit-learn, __init__ only stores the parameters; fit validates them (in the
        # library, which also holds their defaults).
        _check_names(params, self._param_names())
        self.k = k
        for name, value in self.__init__.__signature__.parameters.items():
            if name not in ("self", "k"):
                setattr(self, name, params.get(name, value.default))
        self._model = None
        self._cache = {}

    # -- parameters ---------------------------------------------------------------------------

    @classmethod
    def _param_names(cls):
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    def get_params(self, deep=True):
        """Parameters as a dict (scikit-learn's estimator interface)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Sets parameters by name and returns self; takes effect at the next fit."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for Pipeline; valid ones: "
                                 f"{', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = {p.name: p.default
                    for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{name}={value!r}" for name, value in self.get_params().items()
                   if not (isinstance(value, type(defaults[name])) and value == defaults[name])]
        return f"Pipeline({', '.join(changed)})"

    # -- fitting ------------------------------------------------------------------------------

    def fit(self, texts, meta=None, *, prev=None):
        """Clusters ``texts`` and returns self.

        With ``prev`` (a :class:`Model`, for example ``koe.load("october/model.koe")``), refits
        against it as ``koe cluster --prev`` does: clusters matched to the previous model's keep
        their ids, new ones get fresh ids, unmatched ones sleep in ``model.dormant``, and
        ``refit_`` holds the comparison (docs/continuity.md).

        Parameters
        ----------
        texts : list of str, numpy array of str, pandas Series, or a table
            The voices; None and NaN count as empty voices (label -1). A table (a pandas
            DataFrame or dict of columns, for example from :func:`read_voices`) must have a
            ``text`` column; its other columns are ``meta``.
        meta : pandas DataFrame or dict of columns, optional
            Per-voice metadata, aligned by position: rating, segment, contributor, created_at...
            Columns ``id`` and ``created_at`` (else ``timestamp``) fill the voice's id and time
            (without an ``id`` column the id is the Series index, else the 0-based position);
            ``status`` / ``reason`` as written by :func:`read_voices` keep rejected records
            rejected; ``text``, ``record`` and ``line`` are ignored. Values are kept as text
            (dates in ISO 8601).

        Raises
        ------
        InputError
            Nothing is left to cluster (every text empty), or a config / decisions file cannot
            be read.
        OptionError
            An option is outside its domain, or the config or decisions file is malformed.
        """
        if _is_pandas(texts, "DataFrame") or isinstance(texts, dict):
            if meta is not None:
                raise TypeError("pass either a table with a 'text' column, or texts and meta")
            if "text" not in texts:
                raise ValueError("the table has no 'text' column; call "
                                 "fit(table['your_column'], meta=table)")
            meta = texts
            texts = texts["text"]
        # read_voices() records the file and its encoding, so reports name them as the CLI does.
        attrs = (meta.get("_attrs") if isinstance(meta, dict) else getattr(meta, "attrs", None)) \
            or getattr(texts, "attrs", None) or {}
        source, encoding = attrs.get("source", "texts"), attrs.get("encoding", "utf-8")
        values = _values(texts)
        columns = _meta_columns(meta, len(values))
        ids = columns.pop("id", None)
        if ids is None and _is_pandas(texts, "Series"):
            ids = texts.index.tolist()  # the frame's own row labels, as a notebook shows them
        # The library's rule picks the time column, as the reader does.
        time_name = _koe.default_time_column(list(columns))
        timestamps = columns.pop(time_name) if time_name else None
        status = columns.pop("status", None)
        reasons = columns.pop("reason", None)
        for name in ("text", "record", "line"):
            columns.pop(name, None)

        # A failed fit must not leave the previous fit's attributes looking current.
        for name in [n for n in vars(self) if n.endswith("_") and not n.startswith("_")]:
            delattr(self, name)
        self._model = None
        self._cache = {}
        if prev is not None and not isinstance(prev, Model):
            raise TypeError("prev must be a koe.Model (koe.load(path) or Pipeline.model)")
        model = _koe.Model(self.get_params())
        model.fit(values, ids, timestamps, status, reasons, list(columns), list(columns.values()),
                  source, encoding, None if prev is None else prev._native)
        self._model = model
        self.labels_ = model.labels()
        self.similarity_ = model.similarity()
        self.clusters_ = _clusters(model, self._positions())
        self.n_clusters_ = model.k()
        self.k_curve_ = model.k_curve()
        self.timings_ = model.timings()
        self.refit_ = model.refit()
        return self

    def fit_predict(self, texts, meta=None):
        """Fits and returns ``labels_``."""
        return self.fit(texts, meta).labels_

    def fit_transform(self, texts, meta=None):
        """Fits and returns ``tfidf_`` (equal to ``transform(texts)``)."""
        return self.fit(texts, meta).tfidf_

    def transform(self, texts):
        """TF-IDF rows of ``texts`` under the fitted vocabulary and idf, as a CSR matrix.

        Texts are normalized and tokenized as in ``fit``; unknown terms are ignored. With
        ``reduce`` set the result is still TF-IDF; ``self.model.transform(texts)`` projects new
        texts into the fit's LSA space (``reduced_`` holds the fitted texts' LSA rows).
        """
        return _csr(self._fitted().transform(_values(texts)))

    # -- fitted attributes --------------------------------------------------------------------

    def _fitted(self):
        if self._model is None:
            raise NotFittedError("this Pipeline is not fitted yet; call fit(texts) first")
        return self._model

    def _positions(self):
        """Position of the first fitted text with each id."""
        def make(model):
            ids = model.input()["id"]
            return {i: n for n, i in reversed(list(enumerate(ids)))}
        return self._cached("positions", make)

    def _cached(self, name, make):
        if name not in self._cache:
            self._cache[name] = make(self._fitted())
        return self._cache[name]

    @property
    def tfidf_(self):
        """TF-IDF rows (scipy.sparse.csr_matrix, float32), one per fitted text."""
        return self._cached("tfidf", lambda m: _csr(m.tfidf()))

    @property
    def vocabulary_(self):
        """Term -> column of ``tfidf_``."""
        return self._cached("vocabulary", lambda m: {t: i for i, t in enumerate(m.vocabulary())})

    def get_feature_names_out(self, input_features=None):
        """Terms in column order, as a numpy object array (scikit-learn's name)."""
        return self._cached("features", lambda m: np.array(m.vocabulary(), dtype=object))

    @property
    def terms_(self):
        """Terms of each fitted text after filtering (empty list for empty texts)."""
        return self._cached("terms", lambda m: m.terms())

    @property
    def reduced_(self):
        """LSA rows the clustering used (float32, zero rows for empty texts), or None."""
        return self._cached("reduced", lambda m: m.reduced())

    @property
    def candidates_(self):
        """Clusters scored as adoption candidates, best first (scored on first use)."""
        return self._cached("candidates", lambda m: _candidates(m, self._positions()))

    @property
    def notes_(self):
        """Signals scoring could not use (no rating column, ...), in Japanese."""
        return self._cached("notes", lambda m: m.notes())

    @property
    def unmatched_decisions_(self):
        """Rows of ``decisions`` that matched no cluster of this fit."""
        return self._cached("unmatched", lambda m: m.unmatched_decisions())

    @property
    def dictionary_(self):
        """MeCab dictionary directory used."""
        return self._fitted().dictionary()

    # -- the fitted model ---------------------------------------------------------------------

    @property
    def model(self):
        """What the last fit learned, as a :class:`Model` (raises NotFittedError before a fit)."""
        return self._cached("model", lambda m: Model(m.fitted_model()))

    def save(self, path):
        """Writes what the last fit learned to the model file ``path``: the bytes ``koe cluster``
        writes to ``model.koe`` for the same input and options. Read it with :func:`load`."""
        self._fitted().save_model(os.fspath(path))

    # -- frames and reports -------------------------------------------------------------------

    def clusters_frame(self):
        """``clusters_`` as a pandas DataFrame, one row per cluster, indexed by cluster id.

        ``terms`` holds the top terms and ``representatives`` their texts, as lists.
        """
        pd = _require("pandas", "clusters_frame()")
        self._fitted()
        rows = [{"id": c["id"], "label": c["label"], "size": c["size"], "share": c["share"],
                 "cohesion": c["cohesion"], "duplicates": c["duplicates"],
                 "terms": [t for t, _ in c["terms"]],
                 "representatives": [r["text"] for r in c["representatives"]]}
                for c in self.clusters_]
        columns = ["id", "label", "size", "share", "cohesion", "duplicates", "terms",
                   "representatives"]
        return pd.DataFrame(rows, columns=columns).set_index("id")

    def assignments_frame(self):
        """Where each text went, as the ``koe cluster`` command's assignments.csv.

        Columns: id, cluster, similarity, status (clustered, noise, empty, rejected), reason.
        """
        pd = _require("pandas", "assignments_frame()")
        import io
        return pd.read_csv(io.StringIO(self.report("csv")), dtype={"id": str, "reason": str},
                           keep_default_na=False, na_values={"similarity": [""]})

    def report(self, format="table", stats=False):
        """The result as ``koe cluster`` writes it, as a string.

        format: "table" (the clusters table it prints), "candidates_table" (the candidates table
        it prints), "json" (clusters.json), "csv" (assignments.csv), "candidates"
        (candidates.json, with every signal), "trace" (trace.csv), "html" (report.html),
        "trends" (trends.csv), "alerts" (alerts.json), "owners" (owners.csv), "kpis" (kpis.csv)
        or, after
        ``fit(..., prev=...)``, "changes" (changes.json). ``stats`` adds timings and peak memory.
        """
        return self._fitted().report(format, stats)

    def report_html(self):
        """The one-page co-creation report (共創レポート) as a self-contained HTML string.

        In Jupyter: ``IPython.display.HTML(model.report_html())``; or write it to a file.
        """
        return self.report("html")

    def candidates_frame(self):
        """``candidates_`` as a pandas DataFrame indexed by rank (best first);
        ``representatives`` holds their texts."""
        pd = _require("pandas", "candidates_frame()")
        self._fitted()
        rows = [{**c, "representatives": [r["text"] for r in c["representatives"]]}
                for c in self.candidates_]
        columns = ["rank", "cluster", "key", "label", "size", "share", "frequency", "impact",
                   "difficulty", "adoption", "difficulty_level", "quadrant", "recommended",
                   "small_high_impact", "decision", "decision_reason", "decision_date", "reasons",
                   "representatives"]
        return pd.DataFrame(rows, columns=columns).set_index("rank")

    def trace_frame(self):
        """What became of every fitted text, as ``koe cluster``'s trace.csv, one row per text.

        Columns: id, status (kept, empty, rejected), clustered, cluster (-1 when not clustered),
        label, rank (candidate rank, 0 when not clustered), decision (undecided, or a stage:
        pending, adopted, planned, productized, launched, rejected), reply (a reply draft for texts with a contributor, else empty).
        """
        pd = _require("pandas", "trace_frame()")
        return pd.DataFrame(self._fitted().trace())

    def trends_frame(self):
        """Each cluster's share per period, as trends.csv (:func:`koe._trends.trends_frame`)."""
        return _trends.trends_frame(self.report("trends"))

    def alerts_frame(self):
        """Clusters whose share rose lately, as alerts.json (:func:`koe._trends.alerts_frame`)."""
        return _trends.alerts_frame(self.report("alerts"))

    def kpis_frame(self):
        """The three KPIs per period, as kpis.csv (docs/scoring.md "KPIs"): one row per period,
        oldest first, then "all" for the whole run.

        Columns: period, voices, contributors, new_contributors, returning_contributors,
        voices_per_contributor, clusters, adopted_clusters, cluster_adoption_rate,
        adopted_voices, voice_adoption_rate, median_days_to_adoption, rating_n, rating_mean,
        rating_low, rating_high, heard_n, heard_mean, heard_low, heard_high, other_n,
        other_mean, other_low, other_high, notes. Counts are nullable integers (``Int64``); a
        figure the input cannot give (no contributor or rating column, a rate of nothing) is
        missing (``<NA>``/NaN), never 0.
        """
        pd = _require("pandas", "kpis_frame()")
        import io
        text = self.report("kpis")
        columns = text.split("\n", 1)[0].split(",")
        figures = [c for c in columns if c not in ("period", "notes")]
        frame = pd.read_csv(io.StringIO(text), dtype={"period": str, "notes": str},
                            keep_default_na=False, na_values={c: [""] for c in figures})
        counts = {"voices", "contributors", "new_contributors", "returning_contributors",
                  "clusters", "adopted_clusters", "adopted_voices", "rating_n", "heard_n",
                  "other_n"}
        for c in figures:
            frame[c] = frame[c].astype("Int64" if c in counts else float)
        return frame
    def owners_frame(self):
        """Who owns each candidate (担当), as ``koe cluster``'s owners.csv, one row per candidate.

        Rows are grouped by owner (owners in the order of their best-ranked candidate, 担当未定
        last), by rank within an owner. Columns: owner (the department, or "担当未定"), role,
        cluster (stable id), label, rank, adoption, recommended, decision (the stage: undecided,
        pending, adopted, planned, productized, launched, rejected), stage_summary,
        days_in_stage (NaN when unknown), stuck, matched_terms (joined by "+"), rule (the
        matched rule's reason, "override", or empty for 担当未定). docs/programme.md explains them.
        """
        pd = _require("pandas", "owners_frame()")
        import io
        text_columns = ["owner", "role", "label", "decision", "stage_summary", "matched_terms",
                        "rule"]
        return pd.read_csv(io.StringIO(self.report("owners")),
                           dtype={name: str for name in text_columns}, keep_default_na=False,
                           na_values={"days_in_stage": [""]})

    def changes_frame(self):
        """A refit's lineage events, as changes.json (:func:`koe._continuity.changes_frame`)."""
        return _continuity.changes_frame(self.report("changes"))

    def followups_frame(self):
        """The next contact due to each contributor with an open thread, as followups.csv: a
        pandas DataFrame with one row per contributor, by next contact date.

        Columns: contributor, voices (their voice ids in the cluster, joined by " "), cluster
        (stable id), label, stage (the stage to tell, or "progress" for a note without a new
        one), stage_since, last_contact, next_contact, due ("yes" when next_contact is on or
        before the programme's date), draft, other_clusters (ids of their other open threads,
        joined by " "). Dates are "YYYY-MM-DD" text; an empty field is "". Pass ``contacts``
        (the log of what was sent) so that no stage is proposed twice. docs/programme.md.
        """
        pd = _trends._pandas("followups_frame()")
        text = self.report("followups")
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).astype(
            {"cluster": "int64"})


def tokenize(texts, **options):
    """Terms of each text, as ``fit`` sees them (normalized, MeCab, filters, stop words).

    Parameters
    ----------
    texts : str, or list / numpy array / pandas Series of str
        A single str gives a single list of terms.
    **options
        compounds, join_negation, fold_numbers, stopwords, extra_stopwords,
        use_default_stopwords, dicdir, userdic, remove_emoji, threads: as in :class:`Pipeline`.

    Example
    -------
    >>> koe.tokenize("ログイン画面が使えない")
    ['ログイン', '画面', 'ログイン画面', '使えない']
    """
    _check_names(options, _option_names("text"))
    if isinstance(texts, str):
        return _koe.tokenize([texts], options)[0]
    return _koe.tokenize(_values(texts), options)


_NORMALIZE_FIELDS = ("nfkc", "fold_case", "unify_long_vowels", "collapse_repeats", "mask_urls",
                     "mask_emails", "mask_phones", "remove_emoji", "trim")


def normalize(texts, **options):
    """Normalized form of each text (NFKC, case, long vowels, repeats, URL/e-mail/phone masks).

    Options are booleans named after ``koe::normalize_options``: nfkc, fold_case,
    unify_long_vowels, collapse_repeats, mask_urls, mask_emails, mask_phones, remove_emoji, trim.
    A single str gives a single str.

    Example
    -------
    >>> koe.normalize("すご〜〜い 090-1234-5678")
    'すごーい <phone>'
    """
    o = _koe.NormalizeOptions()
    for name, value in options.items():
        if name not in _NORMALIZE_FIELDS:
            raise TypeError(f"unexpected keyword argument {name!r}")
        setattr(o, name, bool(value))
    if isinstance(texts, str):
        return _koe.normalize([texts], o)[0]
    return _koe.normalize(_values(texts), o)


Pipeline.__init__.__signature__ = inspect.Signature(
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + _signature(_option_names(*_PIPELINE_SCOPES), "k"))
read_voices.__signature__ = inspect.Signature(
    [inspect.Parameter("path", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + _signature(_option_names("read"), "format"))
