"""koe.tokenize and koe.normalize: the terms and text that Pipeline.fit sees."""

import numpy as np
import pytest

import koe


def test_tokenize_single_text_gives_terms():
    assert koe.tokenize("ログイン画面が使えない") == ["ログイン", "画面", "ログイン画面", "使えない"]


def test_tokenize_options_reach_the_tokenizer():
    assert koe.tokenize("ログイン画面が使えない", compounds="off", join_negation=False) == [
        "ログイン", "画面", "使える"]
    assert "画面" not in koe.tokenize("ログイン画面", extra_stopwords=["画面"])


def test_tokenize_accepts_list_numpy_and_pandas_alike():
    texts = ["配達が遅い", "アプリが重い", ""]
    expected = koe.tokenize(texts)
    assert expected[2] == []
    assert koe.tokenize(np.array(texts)) == expected
    pd = pytest.importorskip("pandas")
    assert koe.tokenize(pd.Series(texts)) == expected


def test_tokenize_matches_the_terms_fit_uses(sample_texts):
    model = koe.Pipeline(k=4, seed=1).fit(sample_texts)
    assert koe.tokenize(sample_texts) == model.terms_


def test_tokenize_rejects_unknown_option_and_non_text():
    with pytest.raises(TypeError, match="compound"):
        koe.tokenize(["a"], compound="join")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        koe.tokenize(["a", 3])
    with pytest.raises(koe.OptionError, match="compounds"):
        koe.tokenize(["a"], compounds="all")


def test_normalize_examples():
    assert koe.normalize("ｱﾌﾟﾘが重い！！！ ＵＲＬ→https://x.jp") == "アプリが重い! url→<url>"
    assert koe.normalize(["すご〜〜い 090-1234-5678"]) == ["すごーい <phone>"]
    assert koe.normalize("090-1234-5678", mask_phones=False) == "090-1234-5678"
