"""Type stubs for koe (声): Japanese customer voices to labelled clusters."""

import os
from typing import Any, Literal, Sequence, TypedDict, overload

import numpy as np
import numpy.typing as npt

__version__: str

_Texts = Sequence[str | None] | npt.NDArray[Any] | Any  # list, numpy array or pandas Series
_Meta = dict[str, Sequence[Any]] | Any  # dict of columns or pandas DataFrame
_Path = str | os.PathLike[str]

class KoeError(RuntimeError):
    """Base of every error koe raises; ``code`` names the koe::errc value."""

    code: str | None

class InputError(KoeError, ValueError):
    """Bad input; the message reads 'FILE:LINE: what is wrong' where a line is known."""

class OptionError(KoeError, ValueError):
    """An option outside its domain, or a malformed configuration file."""

class NotFittedError(ValueError, AttributeError):
    """A fitted attribute or method was used before Pipeline.fit."""

class Representative(TypedDict):
    index: int  # position in the fitted texts
    id: str
    text: str

class Cluster(TypedDict):
    id: int
    label: str
    size: int
    share: float
    cohesion: float
    duplicates: int
    terms: list[tuple[str, float]]
    representatives: list[Representative]

class Candidate(TypedDict):
    rank: int
    cluster: int
    key: str
    label: str
    size: int
    share: float
    frequency: float
    impact: float
    difficulty: float
    adoption: float
    difficulty_level: Literal["unknown", "low", "medium", "high"]
    quadrant: Literal["quick_win", "big_bet", "fill_in", "reconsider"]
    recommended: bool
    small_high_impact: bool
    decision: Literal["undecided", "pending", "adopted", "planned", "productized", "launched",
                      "rejected"]
    decision_reason: str
    decision_date: str
    reasons: list[str]
    representatives: list[Representative]

class ModelCluster(TypedDict):
    id: int
    label: str
    key_terms: list[str]
    size: int
    cohesion: float
    born: str
    status: Literal["active", "dormant"]

class Model:
    """What a fit learned: vocabulary, idf, centroids, cluster table. Read-only; never pickled."""

    @property
    def k(self) -> int: ...
    @property
    def vocabulary(self) -> list[str]: ...
    @property
    def idf(self) -> npt.NDArray[np.float32]: ...
    @property
    def centroids(self) -> npt.NDArray[np.float32]: ...
    @property
    def clusters(self) -> list[ModelCluster]: ...
    @property
    def dictionary(self) -> str: ...
    @property
    def koe_version(self) -> str: ...
    @property
    def format(self) -> int: ...
    @property
    def period(self) -> str: ...
    @property
    def next_id(self) -> int: ...
    @property
    def dormant(self) -> list[dict[str, Any]]: ...
    def save(self, path: _Path) -> None: ...
    def predict(self, texts: _Texts, *, new_theme: Literal["auto", "off"] | float = ...,
                new_theme_percentile: int = ..., new_theme_floor: float = ...,
                allow_dictionary_change: bool = ..., threads: int = ...
                ) -> npt.NDArray[np.int32]: ...
    def predict_frame(self, texts: _Texts, *, new_theme: Literal["auto", "off"] | float = ...,
                      new_theme_percentile: int = ..., new_theme_floor: float = ...,
                      allow_dictionary_change: bool = ..., threads: int = ...) -> Any: ...
    def transform(self, texts: _Texts, *, threads: int = ...) -> Any: ...
    def tfidf(self, texts: _Texts, *, threads: int = ...) -> Any: ...

def load(path: _Path) -> Model:
    """Reads a model file written by ``koe cluster`` (model.koe) or Model.save."""

class Pipeline:
    """Clusters Japanese customer voices: normalize, tokenize (MeCab), TF-IDF, spherical k-means."""

    k: Literal["auto"] | int
    remove_emoji: bool
    dicdir: _Path | None
    userdic: _Path | Sequence[_Path] | None
    compounds: Literal["off", "join", "parts_and_join"]
    join_negation: bool
    fold_numbers: bool
    stopwords: _Path | Sequence[_Path] | None
    use_default_stopwords: bool
    extra_stopwords: Sequence[str] | None
    min_df: int | float
    max_df: int | float
    max_features: int | None
    reduce: None | int | str
    k_min: int
    k_max: int
    seed: int
    n_init: int
    max_iter: int
    tol: float
    min_similarity: float
    merge_factor: int
    auto_sample: int
    seed_sample: int
    silhouette_sample: int
    top_terms: int
    label_terms: int
    n_representatives: int
    threads: int | None
    spill: bool
    config: _Path | None
    decisions: _Path | Any | None
    period_name: str | None
    contacts: _Path | None
    as_of: str | None
    report_top: int
    period: Literal["auto", "week", "month", "quarter"] | None

    labels_: npt.NDArray[np.int32]
    similarity_: npt.NDArray[np.float32]
    clusters_: list[Cluster]
    n_clusters_: int
    k_curve_: list[tuple[int, float]]
    timings_: dict[str, float]
    candidates_: list[Candidate]
    notes_: list[str]
    unmatched_decisions_: list[dict[str, Any]]
    refit_: dict[str, Any] | None

    def __init__(
        self,
        k: Literal["auto"] | int = "auto",
        *,
        remove_emoji: bool = False,
        dicdir: _Path | None = None,
        userdic: _Path | Sequence[_Path] | None = None,
        compounds: Literal["off", "join", "parts_and_join"] = "parts_and_join",
        join_negation: bool = True,
        fold_numbers: bool = True,
        stopwords: _Path | Sequence[_Path] | None = None,
        use_default_stopwords: bool = True,
        extra_stopwords: Sequence[str] | None = None,
        min_df: int | float = 2,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        reduce: None | int | str = None,
        k_min: int = 2,
        k_max: int = 30,
        seed: int = 1234,
        n_init: int = 3,
        max_iter: int = 100,
        tol: float = 1e-4,
        min_similarity: float = 0.0,
        merge_factor: int = 1,
        auto_sample: int = 20000,
        seed_sample: int = 100000,
        silhouette_sample: int = 2000,
        top_terms: int = 10,
        label_terms: int = 3,
        n_representatives: int = 5,
        threads: int | None = None,
        spill: bool = True,
        config: _Path | None = None,
        decisions: _Path | Any | None = None,
        period_name: str | None = None,
        contacts: _Path | None = None,
        as_of: str | None = None,
        report_top: int = 5,
        period: Literal["auto", "week", "month", "quarter"] | None = None,
    ) -> None: ...
    def get_params(self, deep: bool = True) -> dict[str, Any]: ...
    def set_params(self, **params: Any) -> Pipeline: ...
    def fit(self, texts: _Texts, meta: _Meta | None = None, *, prev: Model | None = None) -> Pipeline: ...
    def fit_predict(self, texts: _Texts, meta: _Meta | None = None) -> npt.NDArray[np.int32]: ...
    def fit_transform(self, texts: _Texts, meta: _Meta | None = None) -> Any: ...
    def transform(self, texts: _Texts) -> Any:
        """TF-IDF rows (scipy.sparse.csr_matrix, float32) under the fitted vocabulary."""
    @property
    def tfidf_(self) -> Any:
        """scipy.sparse.csr_matrix of float32, shape (n_texts, n_terms)."""
    @property
    def vocabulary_(self) -> dict[str, int]: ...
    def get_feature_names_out(self, input_features: Any = None) -> npt.NDArray[np.object_]: ...
    @property
    def terms_(self) -> list[list[str]]: ...
    @property
    def reduced_(self) -> npt.NDArray[np.float32] | None: ...
    @property
    def dictionary_(self) -> str: ...
    @property
    def model(self) -> Model:
        """What the last fit learned."""
    def save(self, path: _Path) -> None:
        """Writes the last fit's model file (the bytes koe cluster writes to model.koe)."""
    def clusters_frame(self) -> Any:
        """pandas.DataFrame, one row per cluster."""
    def assignments_frame(self) -> Any:
        """pandas.DataFrame: id, cluster, similarity, status, reason."""
    def report(
        self,
        format: Literal[
            "table",
            "candidates_table",
            "json",
            "csv",
            "candidates",
            "trace",
            "html",
            "trends",
            "alerts",
            "kpis",
            "owners",
        ] = "table",
        stats: bool = False,
    ) -> str: ...
    def report_html(self) -> str:
        """The one-page co-creation report, self-contained HTML."""
    def candidates_frame(self) -> Any:
        """pandas.DataFrame of candidates_, indexed by rank."""
    def trace_frame(self) -> Any:
        """pandas.DataFrame: id, status, clustered, cluster, label, rank, decision, reply."""
    def trends_frame(self) -> Any:
        """pandas.DataFrame as trends.csv: period, cluster, count, share, low, high."""
    def alerts_frame(self) -> Any:
        """pandas.DataFrame of alerts.json's alerts; its settings in attrs."""
    def kpis_frame(self) -> Any:
        """pandas.DataFrame as kpis.csv: participation, adoption rate, satisfaction per period."""
    def owners_frame(self) -> Any:
        """pandas.DataFrame as owners.csv: each candidate's owner (担当), rule and stage."""
    def changes_frame(self) -> Any:
        """pandas.DataFrame of changes.json's events (a refit); periods and counts in attrs."""
    def followups_frame(self) -> Any:
        """pandas.DataFrame as followups.csv: one row per contributor with an open thread."""

@overload
def tokenize(texts: str, **options: Any) -> list[str]: ...
@overload
def tokenize(texts: _Texts, **options: Any) -> list[list[str]]: ...
@overload
def normalize(texts: str, **options: bool) -> str: ...
@overload
def normalize(texts: _Texts, **options: bool) -> list[str]: ...
def read_voices(
    path: _Path,
    format: Literal["csv", "tsv", "jsonl", "text"] | None = None,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    time_column: str | None = None,
    encoding: Literal["utf-8", "shift_jis", "cp932", "euc-jp", "auto"] = "utf-8",
    on_error: Literal["fail", "skip"] = "fail",
    max_voice_bytes: int = 16384,
) -> Any:
    """pandas.DataFrame (dict of lists without pandas): id, text, status, reason, timestamp,
    the file's other columns, record, line."""
def data_directory() -> str: ...

class OutputFile(TypedDict):
    name: str
    size: int
    xxh64: str  # 16 lowercase hex digits

class OutputManifest(TypedDict):
    format_version: int
    koe_version: str
    run_id: str
    files: list[OutputFile]

def check_outputs(dir: _Path) -> OutputManifest: ...

def changes(comparison: dict[str, Any], labels: dict[int, str] | None = None, *,
            min_similarity: float | None = None, min_part_share: float | None = None,
            min_voices: int | None = None,
            min_part_similarity: float | None = None) -> dict[str, Any]: ...

class Trend:
    csv: str
    rows: list[dict[str, Any]]
    alerts: dict[str, Any]
    def frame(self) -> Any: ...

def trend(models: Sequence[Model | _Path], *, config: _Path | None = None) -> Trend: ...

__all__: list[str]
