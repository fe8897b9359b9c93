#!/usr/bin/env python3
"""Writes the year-long sample data/sample/year/: twelve monthly CSV files of made-up voices about
もぐもぐ便 (2026-01.csv ... 2026-12.csv), events.json (the planted events) and decisions.csv.

usage: /usr/bin/python3 scripts/make-year-sample.py [--out DIR]   write the files (default
                                                                  data/sample/year)
       /usr/bin/python3 scripts/make-year-sample.py --check       regenerate into a temporary
                                                                  folder and compare byte for byte
       /usr/bin/python3 scripts/make-year-sample.py --table       print voices per topic per month

Every phrase below was written for this sample. The output depends only on the fixed seed and
this file (Python's random.Random is stable across versions for the calls used here).
"""
import argparse
import csv
import filecmp
import io
import json
import os
import sys
import tempfile
import unicodedata
from random import Random

SEED = 20260101
YEAR = 2026
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
DECISION_DATE = "2026-09-05"
DECISION_KEY = "解約+電話+方法"
# The stable id of the cancellation cluster when scripts/run-sample.sh clusters the whole year
# (-k auto --seed 1234): contacts.csv names clusters by id, as followups.csv prints them.
CANCELLATION_ID = "12"

# ---------------------------------------------------------------------------------------------
# Phrase banks. Each topic: cores (one complaint), follow-ups (a second sentence on the same
# subject) and the star rating it usually gets. {n} is a small number, {h} an hour.
# ---------------------------------------------------------------------------------------------
TOPICS = {
    "delivery_delay": dict(rating=2, cores=[
        "配達が遅い", "指定した日に届かない", "荷物がまだ来ない", "お届け予定を過ぎても届かない",
        "配送が{n}時間も遅れた", "今週も配達が遅れた", "夕方着の予定が夜{h}時過ぎに届いた",
        "配送予定の時間を過ぎても連絡がない", "遅延するなら連絡くらいほしい",
        "また配送遅延。夕飯に間に合わない", "届くのが遅すぎて献立が狂う",
        "配送状況がずっと「配送中」のまま動かない", "到着が毎回遅れる", "配達遅すぎ",
        "昨日届くはずの荷物が今日になっても届かない", "配送が遅れて食材がぬるくなっていた",
        "もぐもぐ便まだ届かないんだけど", "予定日に届いたためしがない"],
        follow=["夕飯の準備ができなくて困りました。", "遅れるなら事前に連絡がほしいです。",
                "子どもがお腹を空かせて待っていました。", "仕事を早めに切り上げて待っていたのに。",
                "これで{n}回目です。", "結局外食になりました。", "追跡番号で見ても進んでいません。"]),
    "freshness": dict(rating=2, cores=[
        "野菜がしなびていた", "レタスが傷んでいた", "鶏肉から変なにおいがした",
        "豚肉の色がおかしかった", "トマトが潰れて汁が出ていた", "魚の鮮度がいまいち",
        "しめじが黒ずんでいた", "ほうれん草が溶けかけていた", "食材の鮮度が悪い",
        "消費期限が翌日までの肉が入っていた", "保冷剤が溶けて食材がぬるかった",
        "きゅうりがぶよぶよだった", "キャベツの外側が茶色く傷んでいた", "ひき肉が変色していた"],
        follow=["交換か返金をお願いします。", "怖くて使えませんでした。", "写真を添付します。",
                "夏場は特に心配です。", "ほかの食材まで汁で濡れていました。"]),
    "packaging_waste": dict(rating=2, cores=[
        "梱包ゴミが多すぎる", "段ボールが大きすぎて捨てるのが大変", "小分けのビニール袋が多い",
        "保冷剤が毎回たまっていく", "プラスチックの容器を減らしてほしい",
        "ゴミの日まで段ボールが玄関をふさいでいる", "過剰包装だと思う",
        "トレーや袋をまとめて回収してほしい", "一回分の梱包ゴミで袋がいっぱいになる",
        "袋を分別するのが面倒", "緩衝材が多すぎる"],
        follow=["環境のことも考えてほしい。", "回収サービスがあれば続けたいです。",
                "マンションなのでゴミ出しが大変です。", "分別がとにかく面倒。"]),
    "portion_size": dict(rating=3, cores=[
        "2人前と書いてあるけど量が少ない", "大人2人だと足りない", "肉の量が少ない",
        "野菜の分量がレシピと合っていない", "おかずとしては量が物足りない", "1人前が小さすぎる",
        "育ち盛りの子どもには足りない量", "3人前を頼んでも少なく感じる",
        "メインの肉が薄くて量も少ない", "もう少し量を増やしてほしい"],
        follow=["増量プランがほしいです。", "値段の割に少ないと感じます。",
                "大盛りのオプションを作ってください。", "結局一品足しています。"]),
    "delivery_slot": dict(rating=3, cores=[
        "配送の時間帯をもっと細かく指定したい", "夜{h}時以降の枠がほしい",
        "午前中の枠しか空いていない", "時間指定が2時間刻みなのが不便", "土日の時間帯がすぐ埋まる",
        "受け取り時間を前日に変更できない", "平日の夜遅めの時間帯を増やしてほしい",
        "希望の時間帯がいつも選べない"],
        follow=["不在が多くて再配達になってしまいます。", "共働きなので夜しか受け取れません。"]),
    "login": dict(rating=1, cores=[
        "ログインできない", "パスワードを再設定してもログインできない",
        "認証コードのSMSが届かない", "毎回ログインし直しになる",
        "機種変更したらログインできなくなった", "ログイン画面から先に進めない",
        "二段階認証のメールが来ない", "メールアドレスを入れてもアカウントが見つからないと言われる",
        "ログインするとエラーになる", "パスワードが何度やっても通らない"],
        follow=["注文の締め切りが近いのでログインできないと困る。", "パスワードはメモ通りです。"]),
    "cancellation": dict(rating=1, cores=[
        "解約方法がわからない", "解約したいのにアプリから手続きできない", "退会ボタンがどこにもない",
        "解約が電話のみなのは不便", "解約の電話がつながらない", "解約ページが見つからない",
        "スキップと解約の違いがわかりにくい", "解約手続きが面倒すぎる",
        "電話でしか解約できないのはおかしい", "解約の方法くらいアプリに書いてほしい"],
        follow=["わざと隠してるとしか思えない。", "もう{n}週間も解約できずにいます。",
                "電話の引き止めがしつこいです。", "サポートに電話しても話し中です。"]),
    "payment_error": dict(rating=1, cores=[
        "カードの決済が通らない", "支払いの決済画面でエラーが出る", "決済エラーで支払いができない",
        "PayPayの決済が失敗する", "クレジットカードを登録し直しても決済が通らない",
        "カード決済が完了しないまま注文が消えた", "支払いのたびに決済エラーになる"],
        follow=["別のカードでも同じでした。", "カード会社では問題ないと言われました。"]),
    "app_trouble": dict(rating=2, cores=[
        "アプリが重いし、たまに落ちる", "アプリの動作が遅くて、落ちることもある",
        "アプリの調子が悪い。重いし落ちる", "アプリの不具合が多い。重くて落ちる",
        "アプリが重くて固まって落ちる", "アプリが不安定で重い、落ちる"],
        follow=["スマホは最新です。", "アプリを再起動しても同じです。"]),
    "app_slow": dict(rating=2, cores=[
        "アプリの読み込みが遅い", "アプリが重くて画面の切り替えに時間がかかる",
        "アプリの画面がなかなか表示されない", "アプリの動作がもっさりしていて重い",
        "アプリの読み込みに{n}秒もかかる", "アプリが重い。読み込みが終わらない",
        "画像の読み込みが遅くてアプリが重い", "アプリの動作が重すぎる",
        "アプリでくるくるが出たまま読み込みが進まない", "アプリが重くてスクロールがカクカクする"],
        follow=["前のバージョンのほうが軽かった。", "通信環境は問題ありません。",
                "待っている間にイライラします。", "表示が遅すぎます。"]),
    "app_crash": dict(rating=1, cores=[
        "ver5.0にアップデートしたら起動しない", "アプリが強制終了する",
        "注文確定のところでアプリが落ちる", "アップデート後にクラッシュする",
        "開いた瞬間にアプリが落ちる", "アップデートしてからアプリが落ちて使えない",
        "アプリが起動直後に終了する", "最新版にしたら強制終了ばかり"],
        follow=["再インストールしてもだめでした。", "iPhoneです。", "Androidです。",
                "アップデート前は落ちなかったのに。"]),
    "points": dict(rating=3, cores=[
        "ポイントがなかなか貯まらない", "ポイントの有効期限が短い", "ポイントの付与が遅い",
        "ポイント還元率が下がった", "貯まったポイントの使い道が少ない",
        "ポイントが付与されていない", "ポイントの残高がどこで見られるかわからない"],
        follow=["もう少しポイントを貯めやすくしてほしい。", "ポイント目当てで続けていたのに。"]),
    "coupon": dict(rating=3, cores=[
        "クーポンが使えない", "クーポンコードを入れても割引されない", "初回クーポンしかない",
        "クーポンの期限が短すぎる", "割引クーポンが適用されなかった",
        "友だち紹介クーポンが届かない", "クーポンの使い方がわかりにくい"],
        follow=["既存の会員にも割引クーポンがほしい。", "クーポン目当てで始めたのに。"]),
    "points_coupon": dict(rating=2, cores=[
        "ポイントとクーポンが統合されて分かりにくくなった",
        "クーポンをポイントで交換する仕組みがややこしい",
        "もぐもぐパスでポイントとクーポンのどっちを使えばいいのかわからない",
        "クーポンを使うとポイントが付かなくなった", "ポイントとクーポンを併用できない",
        "統合でクーポンもポイントも前より損になった",
        "ポイントがクーポンに変わって有効期限が短くなった",
        "もぐもぐパスのポイントとクーポンの画面が見づらい"],
        follow=["前の仕組みに戻してほしい。", "説明が足りないと思います。"]),
    "frozen_kit": dict(rating=3, cores=[
        "冷凍キットの解凍に時間がかかる", "冷凍ミールキットが冷凍庫に入りきらない",
        "冷凍キットの味がいまいち", "冷凍の野菜が水っぽい", "冷凍キットは解凍ムラがある",
        "冷凍便だけ別の日に届く", "冷凍キットのレンジの時間が書いていない",
        "冷凍キットの種類をもっと増やしてほしい", "冷凍庫がキットでいっぱいになる"],
        follow=["冷凍庫が小さい家には向かないと思う。", "手軽なのは良いです。",
                "解凍の手順を詳しく書いてほしい。"]),
    "allergen_label": dict(rating=2, cores=[
        "アレルギー表示がわかりにくい", "原材料の表示が小さくて読めない",
        "卵不使用と書いてあったのにソースに卵が入っていた",
        "アレルゲンの表示が見つけにくい",
        "子どもに小麦アレルギーがあるので表示を大きくしてほしい",
        "特定原材料の表示が箱のどこにもない", "アレルギー表示が商品によって書き方が違う",
        "アレルギーの原材料表示をもっと目立たせてほしい"],
        follow=["命に関わることなのでお願いします。", "アレルギーのある家族がいるので心配です。"]),
    "support_response": dict(rating=2, cores=[
        "問い合わせの返信が遅い", "サポートの回答がテンプレばかり", "サポートのチャットで聞いても解決しない",
        "問い合わせフォームが見つけにくい", "サポートからの返信が{n}日たっても来ない",
        "サポートに同じ説明を何度もさせられた", "問い合わせへの対応が雑"],
        follow=["もう少し丁寧に対応してほしい。", "サポートの対応には期待していません。"]),
    "recipe_variety": dict(rating=3, cores=[
        "メニューが毎週似ている", "レシピのバリエーションが少ない", "同じような炒め物ばかり",
        "和食のメニューをもっと増やしてほしい", "子ども向けのメニューがほしい",
        "メニューがマンネリ化してきた", "魚のメニューが少ない", "季節のメニューを増やしてほしい"],
        follow=["飽きてきました。", "楽しみにしているので期待しています。"]),
    "notifications": dict(rating=3, cores=[
        "通知が多すぎる", "プッシュ通知を減らしたい", "セールのお知らせメールが毎日来る",
        "通知をオフにする場所がわからない", "夜中に通知が来る", "通知がうるさい"],
        follow=["必要な通知だけにしてほしい。", "通知の設定を分かりやすくしてください。"]),
    "off_topic": dict(rating=4, cores=[
        "今日は雨ですね", "テスト", "特になし", "アンケートが長い", "CMの曲が好き",
        "フォローお願いします", "いつもおいしくいただいています", "週末は実家に帰ります"],
        follow=[]),
}

# After the in-app cancellation screen: fewer voices, calmer, from people who wrote before.
CANCELLATION_AFTER = [
    "アプリから解約手続きができるようになって助かった", "解約画面がアプリ内にできて分かりやすくなった",
    "休止と解約をアプリで選べるようになったのは良い", "解約方法がアプリに載ってすぐ分かった",
    "解約の手続きが前より簡単になった", "解約がアプリで完結するようになった"]

PAYMENT_OUTAGE = [
    "決済障害で夜まで注文できなかった", "決済エラーのお知らせが遅すぎる",
    "障害のあいだカード決済が通らず締め切りに間に合わなかった", "決済障害で二重に請求された",
    "支払い画面がずっとエラーで注文できない", "決済のエラーが直ったのか教えてほしい"]

OPENERS = ["いつも利用しています。", "初めて書きます。", "毎週使っています。",
           "もぐもぐ便を半年使っています。", "共働きで助かっているのですが、", "先週の注文ですが、"]
CLOSERS = ["改善してください。", "よろしくお願いします。", "残念です。", "困っています。",
           "早く直してほしい。", "検討をお願いします。", "他のサービスに乗り換えるかも。"]
SNS_TAILS = ["ｗｗ", "笑", "…", "😡", "😢", "🙏", "💦", "！！！", "〜", "ﾜﾛﾀ"]
PII = ["連絡先は taro.example@example.com です。", "折り返しは090-0000-1234にお願いします。",
       "登録のメールは hanako.sample@example.jp です。"]

# Voices per topic per month (before noise). Events are in these rows; see EVENTS.md.
_ = None
PLAN = {
    #                  Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec
    "delivery_delay":   [28, 27, 28, 29, 28, 30, 30, 29, 29, 28, 30, 31],
    "freshness":        [16, 15, 16, 16, 17, 17, 17, 17, 16, 16, 16, 17],
    "packaging_waste":  [11, 11, 11, 12, 11, 12, 12, 12, 12, 11, 12, 12],
    "portion_size":     [11, 11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12],
    "delivery_slot":    [9, 9, 9, 10, 9, 10, 10, 10, 10, 10, 10, 10],
    "login":            [11, 11, 11, 12, 11, 12, 12, 12, 12, 12, 12, 12],
    "cancellation":     [7, 7, 7, 7, 7, 8, 8, 8, 4, 2, 2, 2],
    "payment_error":    [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 10, 5],
    "app_trouble":      [20, 20, 20, 21, 20, 21, 0, 0, 0, 0, 0, 0],
    "app_slow":         [0, 0, 0, 0, 0, 0, 12, 12, 12, 11, 12, 12],
    "app_crash":        [0, 0, 0, 0, 0, 0, 12, 12, 11, 12, 12, 12],
    "points":           [7, 7, 7, 7, 7, 8, 8, 0, 0, 0, 0, 0],
    "coupon":           [7, 7, 7, 7, 7, 7, 8, 0, 0, 0, 0, 0],
    "points_coupon":    [0, 0, 0, 0, 0, 0, 0, 15, 15, 14, 15, 15],
    "frozen_kit":       [0, 0, 0, 0, 0, 9, 10, 11, 11, 11, 12, 12],
    "allergen_label":   [6, 6, 6, 6, 6, 6, 0, 0, 0, 6, 6, 6],
    "support_response": [6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6],
    "recipe_variety":   [11, 11, 11, 11, 11, 11, 12, 12, 12, 12, 12, 12],
    "notifications":    [6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6],
    "off_topic":        [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
}
# Topics whose plan is exact (the events are read from them); the others get a little noise.
EXACT = {"cancellation", "payment_error", "app_trouble", "app_slow", "app_crash", "points",
         "coupon", "points_coupon", "frozen_kit", "allergen_label"}
BLANK_MONTHS = {"2026-02", "2026-07", "2026-11"}  # one empty voice each, as forms collect them

EVENTS = {
    "sample": "data/sample/year",
    "months": MONTHS,
    "topic_column": "topic",
    "date_column": "created_at",
    "events": [
        {"kind": "born", "topics": ["frozen_kit"], "month": "2026-06",
         "story": "冷凍ミールキットの発売 (2026-06-01)",
         "expected": {"lineage": "born", "min_share_after": 0.03}},
        {"kind": "split", "topics": ["app_slow", "app_crash"], "parent": "app_trouble",
         "month": "2026-07", "story": "アプリ ver5.0 (2026-07-01): 重い と 落ちる が別の声に",
         "expected": {"lineage": "split", "min_share_after": 0.04}},
        {"kind": "merge", "topics": ["points", "coupon"], "into": "points_coupon",
         "month": "2026-08", "story": "ポイントとクーポンを「もぐもぐパス」に統合 (2026-08-01)",
         "expected": {"lineage": "merged", "min_share_after": 0.05}},
        {"kind": "fade", "topics": ["cancellation"], "month": "2026-09",
         "story": "解約導線をアプリ内に追加 (adopted 2026-09-05)",
         "decision": {"key": DECISION_KEY, "date": DECISION_DATE},
         "expected": {"share_before": 0.04, "share_after": 0.01, "tolerance": 0.01,
                      "rating_before_max": 2.0, "rating_after_min": 3.0}},
        {"kind": "return", "topics": ["allergen_label"], "month": "2026-10",
         "absent": ["2026-07", "2026-09"],
         "story": "新メニューの表示ラベル (2026-10): 夏のあいだ消えた声が戻る",
         "expected": {"lineage": "returned", "dormant_from": "2026-07"}},
        {"kind": "burst", "topics": ["payment_error"], "month": "2026-11",
         "story": "決済障害 (2026-11-14)",
         "expected": {"delta_pp": 2.0, "tolerance_pp": 1.0}},
    ],
}

# The team's ledger: one row per stage change, keyed by the cluster keys of the whole year
# clustered at once. Cancellation moves from 検討中 to 採用 and ships the same day (a small fast
# fix); the app's stability was adopted in July and has waited since (stuck at 採用); the frozen
# kit's leaflet is being made (商品化); login is being planned; a delivery request was declined.
DECISIONS = [
    ["key", "decision", "reason", "date"],
    [DECISION_KEY, "検討中", "解約の問い合わせが毎月続いている", "2026-08-10"],
    [DECISION_KEY, "採用", "解約導線をアプリ内に追加", DECISION_DATE],
    [DECISION_KEY, "提供開始", "アプリの設定画面から解約できるようにした", DECISION_DATE],
    ["アプリ+落ちる+重い", "採用", "ver5.0 の動作を安定させる", "2026-07-15"],
    ["キット+冷凍+解凍", "検討中", "解凍方法がわからないという声", "2026-07-01"],
    ["キット+冷凍+解凍", "採用", "解凍方法の説明カードを同梱する", "2026-08-01"],
    ["キット+冷凍+解凍", "企画化", "", "2026-09-01"],
    ["キット+冷凍+解凍", "商品化", "", "2026-10-15"],
    ["できない+パスワード+ログイン", "検討中", "", "2026-10-01"],
    ["できない+パスワード+ログイン", "採用", "パスワード再設定の導線を見直す", "2026-11-02"],
    ["できない+パスワード+ログイン", "企画化", "", "2026-11-20"],
    ["カード+支払い+決済", "検討中", "11 月の決済障害の再発防止", "2026-11-16"],
    ["届かない+届く+荷物", "見送り", "配送網の見直しは来期に検討する", "2026-10-12"],
]


def half_width_table():
    """Full-width katakana to half-width, built from Unicode's own compatibility mappings."""
    table = {}
    for cp in range(0xFF66, 0xFF9E):
        half = chr(cp)
        full = unicodedata.normalize("NFKC", half)
        table.setdefault(full, half)
        for mark in ("\uff9e", "\uff9f"):
            voiced = unicodedata.normalize("NFKC", half + mark)
            if len(voiced) == 1:
                table.setdefault(voiced, half + mark)
    return table


HALF = half_width_table()
FULL_ASCII = {c: chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


class Writer:
    """Composes voices from the phrase banks with one seeded stream."""

    def __init__(self):
        self.rng = Random(SEED)
        self.next_user = 1
        self.users_by_topic = {}
        self.cancellation_users = []

    def fill(self, s):
        r = self.rng
        return s.replace("{n}", str(r.choice([2, 3, 3, 4, 5]))).replace(
            "{h}", str(r.choice([20, 21, 21, 22])))

    def text(self, topic, month, day):
        r = self.rng
        bank = TOPICS[topic]
        if topic == "cancellation" and (month, day) >= (9, 5):
            return self.fill(r.choice(CANCELLATION_AFTER))
        if topic == "payment_error" and month == 11 and r.random() < 0.7:
            core = r.choice(PAYMENT_OUTAGE)
        else:
            core = r.choice(bank["cores"])
        parts = [self.fill(core)]
        if bank["follow"] and r.random() < 0.4:
            parts[0] += "。"
            parts.append(self.fill(r.choice(bank["follow"])))
        if topic != "off_topic" and r.random() < 0.12:
            parts.insert(0, r.choice(OPENERS))
        if topic != "off_topic" and r.random() < 0.2:
            if not parts[-1].endswith("。"):
                parts[-1] += "。"
            parts.append(r.choice(CLOSERS))
        return "".join(parts)

    def messy(self, text, channel):
        r = self.rng
        if channel == "sns" and r.random() < 0.5:
            text = "もぐもぐ便、" + text if r.random() < 0.4 else text
            text = text.rstrip("。") + r.choice(SNS_TAILS)
        if channel == "support" and r.random() < 0.15:
            text = text.rstrip("。") + "。" + r.choice(PII)
        u = r.random()
        if u < 0.04:
            text = "".join(HALF.get(c, c) for c in text)
        elif u < 0.14:
            text = text.translate(FULL_ASCII)
        if r.random() < 0.015 and "。" in text[:-1]:
            text = text.replace("。", "。\n", 1)
        if r.random() < 0.01:
            text = text.replace("、", ",", 1)
        if r.random() < 0.008:
            text = '"' + text + '"って思った'
        return text

    def contributor(self, topic, after_decision):
        r = self.rng
        if topic == "cancellation" and after_decision and self.cancellation_users:
            return r.choice(self.cancellation_users)
        if r.random() < 0.07:
            return ""
        if after_decision and self.cancellation_users and r.random() < 0.12:
            return r.choice(self.cancellation_users)
        pool = self.users_by_topic.setdefault(topic, [])
        if pool and r.random() < 0.35:
            return r.choice(pool)
        user = f"user_{self.next_user:04d}"
        self.next_user += 1
        pool.append(user)
        if topic == "cancellation" and not after_decision:
            self.cancellation_users.append(user)
        return user

    def rating(self, topic, channel, user, after_decision):
        if channel in ("sns", "support"):
            return ""
        r = self.rng
        base = TOPICS[topic]["rating"]
        if topic == "cancellation":
            base = 4 if after_decision else 1
        elif after_decision and user in self.cancellation_users:
            base += 1
        u = r.random()
        shift = -1 if u < 0.15 else 1 if u < 0.3 else 0
        return str(min(5, max(1, base + shift)))

    def month(self, mi):
        r = self.rng
        month = mi + 1
        slots = []
        for topic, counts in PLAN.items():
            n = counts[mi]
            if n and topic not in EXACT:
                n += r.choice([-2, -1, -1, 0, 0, 0, 1, 1, 2])
            slots += [topic] * n
        if MONTHS[mi] in BLANK_MONTHS:
            slots.append("")
        days = sorted(r.randrange(DAYS[mi]) + 1 for _ in slots)
        r.shuffle(slots)
        rows = []
        for topic, day in zip(slots, days):
            channel = r.choices(["app_review", "survey", "support", "sns"], [35, 35, 14, 16])[0]
            segment = r.choices(["free", "standard", "premium"], [20, 60, 20])[0]
            after = (month, day) >= (9, 5)
            user = self.contributor(topic or "off_topic", after)
            if topic:
                text = self.messy(self.text(topic, month, day), channel)
                rating = self.rating(topic, channel, user, after)
            else:
                text, rating = "", ("" if channel in ("sns", "support") else "3")
            rows.append([text, rating, segment, channel, user, f"{MONTHS[mi]}-{day:02d}", topic])
        return rows


def csv_bytes(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def write_all(out):
    os.makedirs(out, exist_ok=True)
    writer = Writer()
    next_id = 1
    for mi, name in enumerate(MONTHS):
        rows = [["id", "text", "rating", "segment", "channel", "contributor", "created_at", "topic"]]
        for row in writer.month(mi):
            rows.append([f"Y{next_id:04d}"] + row)
            next_id += 1
        with open(os.path.join(out, f"{name}.csv"), "wb") as f:
            f.write(csv_bytes(rows))
    with open(os.path.join(out, "events.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(EVENTS, f, ensure_ascii=False, indent=2)
        f.write("\n")
    with open(os.path.join(out, "decisions.csv"), "wb") as f:
        f.write(csv_bytes(DECISIONS))
    with open(os.path.join(out, "contacts.csv"), "wb") as f:
        f.write(csv_bytes(contacts(out)))


def contacts(out):
    """The contact log: the first five people who asked how to cancel before the decision were
    told it was under review (検討中) on 2026-08-20; nobody has been told of the later stages."""
    people = []
    for name in MONTHS:
        with open(os.path.join(out, f"{name}.csv"), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if (row["topic"] == "cancellation" and row["contributor"]
                        and row["created_at"] < "2026-08-10" and row["contributor"] not in people):
                    people.append(row["contributor"])
    rows = [["contributor", "cluster", "stage", "date"]]
    return rows + [[p, CANCELLATION_ID, "pending", "2026-08-20"] for p in people[:5]]


GENERATED = [f"{m}.csv" for m in MONTHS] + ["events.json", "decisions.csv", "contacts.csv"]


def table(folder):
    counts, totals = {}, []
    for m in MONTHS:
        with open(os.path.join(folder, f"{m}.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        totals.append(len(rows))
        for row in rows:
            counts.setdefault(row["topic"] or "(blank)", [0] * 12)[MONTHS.index(m)] += 1
    print("| topic | " + " | ".join(m[5:] for m in MONTHS) + " | year |")
    print("|---|" + "---:|" * 13)
    for t in [t for t in PLAN if t in counts] + [t for t in counts if t not in PLAN]:
        c = counts[t]
        print(f"| `{t}` | " + " | ".join(str(x) for x in c) + f" | {sum(c)} |")
    print("| **total** | " + " | ".join(str(x) for x in totals) + f" | {sum(totals)} |")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(root, "data", "sample", "year"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--table", action="store_true")
    args = ap.parse_args()
    if args.table:
        table(args.out)
        return 0
    if not args.check:
        write_all(args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write_all(tmp)
        bad = [n for n in GENERATED
               if not os.path.exists(os.path.join(args.out, n))
               or not filecmp.cmp(os.path.join(tmp, n), os.path.join(args.out, n), shallow=False)]
    for n in bad:
        print(f"make-year-sample: {args.out}/{n} differs from what the script writes", file=sys.stderr)
    if bad:
        return 1
    print(f"make-year-sample: the {len(GENERATED)} files match what the script writes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
