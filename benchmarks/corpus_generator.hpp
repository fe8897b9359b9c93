// Synthetic Japanese customer voices for benchmarks: about 30 topics of a fictional online grocery
// delivery service ("つばめマート"), with the true topic of each voice so quality can be scored.
// Shared by koe-generate and the per-stage benchmarks; never part of the library.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace koe::bench {

/// One topic: its words ranked by frequency (the first is the most common) and its sentence
/// shapes. Templates take slots: {n} topic noun, {m} another topic noun, {p} topic predicate,
/// {i} product, {c} product category, {t} time, {d} degree adverb, {s} the service, {x} number.
struct topic_def {
  std::string_view slug;  ///< ASCII name written to the `topic` column.
  int rating;             ///< Typical star rating, 1 (angry) to 5 (delighted).
  std::vector<std::string_view> nouns;
  std::vector<std::string_view> predicates;
  std::vector<std::string_view> templates;  ///< Empty: the shared complaint templates.
  std::vector<std::string_view> closers;    ///< Empty: the shared closers.
};

/// The topics, in the order of their overall frequency (the first is the most common).
inline const std::vector<topic_def>& topics() {
  static const std::vector<topic_def> t = {
      {"delivery_delay",
       2,
       {"配送", "荷物", "配達", "到着", "注文", "お届け", "予定時間", "遅延", "配送状況", "連絡"},
       {"遅い", "遅れた", "届かない", "来ない", "遅すぎる", "予定より遅れた", "まだ届かない",
        "待たされた"},
       {},
       {}},
      {"app_slow",
       2,
       {"アプリ", "動作", "読み込み", "画面", "表示", "起動", "ページ", "反応", "カート", "画像"},
       {"重い", "遅い", "固まる", "もっさりしている", "カクカクする", "時間がかかる", "重すぎる"},
       {},
       {}},
      {"freshness",
       2,
       {"鮮度", "賞味期限", "品質", "消費期限", "状態", "見た目", "匂い", "色"},
       {"悪い", "傷んでいた", "近い", "切れていた", "しなびていた", "腐っていた", "古い",
        "微妙だった"},
       {"{i}の{n}が{p}", "{t}届いた{c}の{n}が{p}", "{c}の{n}が{d}{p}", "{c}の{n}が{p}",
        "{i}を頼んだら{n}が{p}", "{c}が{p}"},
       {}},
      {"praise",
       5,
       {"対応", "サービス", "配達", "品揃え", "スタッフ", "アプリ", "品質", "梱包", "配達員"},
       {"良い", "早い", "丁寧", "満足", "最高", "便利", "ありがたい", "素晴らしい", "快適"},
       {"{n}がとても{p}", "いつも{n}が{p}です", "{t}も{n}が{d}{p}", "{s}の{n}は{p}",
        "{n}が{p}。{d}助かっています", "{c}を頼んでも{n}が{p}"},
       {"これからも使います！", "ありがとうございます。", "友達にも勧めました。",
        "感謝しています。", "これからもよろしくお願いします。", "リピート確定です。"}},
      {"payment_error",
       1,
       {"決済", "クレジットカード", "支払い", "カード", "PayPay", "引き落とし", "決済方法",
        "二重請求", "デビットカード"},
       {"通らない", "できない", "エラーになる", "失敗した", "使えない", "二重になった", "止まる"},
       {},
       {}},
      {"shipping_fee",
       2,
       {"送料", "手数料", "値段", "価格", "料金", "最低注文金額", "配送料", "サービス料"},
       {"高い", "高すぎる", "上がった", "値上げされた", "割高", "もう少し安くしてほしい"},
       {"{n}が{p}", "{n}が{d}{p}", "{c}だけ頼むと{n}が{p}", "{t}から{n}が{p}", "{s}は{n}が{p}",
        "{n}{x}円は{p}"},
       {}},
      {"login",
       1,
       {"ログイン", "パスワード", "ID", "認証", "アカウント", "二段階認証", "SMS", "確認コード"},
       {"できない", "通らない", "届かない", "弾かれる", "失敗する", "面倒", "ループする"},
       {},
       {}},
      {"out_of_stock",
       2,
       {"在庫", "品切れ", "欠品", "入荷", "売り切れ", "商品", "代替品", "品揃え"},
       {"多い", "ない", "少ない", "遅い", "勝手に変えられた", "すぐなくなる", "続いている"},
       {"{i}の{n}が{p}", "{c}の{n}が{p}", "{n}が{d}{p}", "{t}も{i}が{n}", "{i}が{n}で{p}",
        "欲しい{c}の{n}が{p}"},
       {}},
      {"app_crash",
       1,
       {"アプリ", "エラー", "強制終了", "アップデート", "不具合", "バグ", "最新版", "クラッシュ"},
       {"落ちる", "落ちた", "開かない", "止まる", "起動しない", "終了する", "頻発する"},
       {"{n}が{p}", "{n}後にアプリが{p}", "{t}から{n}が{p}", "{n}が{d}{p}", "{n}で注文の途中に{p}",
        "iPhoneで{n}が{p}", "Androidだと{n}が{p}"},
       {}},
      {"coupon",
       2,
       {"クーポン", "割引", "適用", "クーポンコード", "キャンペーン", "初回特典", "セール",
        "値引き"},
       {"使えない", "適用されない", "期限切れ", "反映されない", "少ない", "分かりにくい"},
       {},
       {}},
      {"phone_support",
       1,
       {"電話", "コールセンター", "窓口", "オペレーター", "受付時間", "保留", "問い合わせ"},
       {"つながらない", "繋がらない", "長い", "待たされる", "短い", "対応が悪い",
        "たらい回しにされた"},
       {},
       {}},
      {"refund",
       2,
       {"返品", "返金", "交換", "手続き", "返送", "問い合わせ", "返金対応"},
       {"遅い", "面倒", "されない", "進まない", "複雑", "時間がかかる", "まだ来ない"},
       {"{n}が{p}", "{i}の{n}が{p}", "{t}頼んだ{n}が{p}", "{n}の{m}が{d}{p}",
        "{c}の{n}をお願いしたが{p}"},
       {}},
      {"points",
       3,
       {"ポイント", "還元", "付与", "有効期限", "ポイント残高", "ランク", "特典", "還元率"},
       {"少ない", "付かない", "反映されない", "消えた", "分かりにくい", "貯まらない", "下がった"},
       {},
       {}},
      {"time_slot",
       2,
       {"時間指定", "配達時間", "時間帯", "予約枠", "夜間", "午前", "受け取り時間", "枠"},
       {"選べない", "埋まっている", "少ない", "取れない", "狭い", "増やしてほしい"},
       {},
       {}},
      {"packaging_damage",
       2,
       {"梱包", "箱", "袋", "卵", "瓶", "容器", "中身", "段ボール", "パック", "緩衝材"},
       {"潰れていた", "割れていた", "破れていた", "雑だった", "濡れていた", "へこんでいた",
        "漏れていた"},
       {"{c}の{n}が{p}", "{n}が{d}{p}", "届いた{c}の{n}が{p}", "{i}の{n}が{p}",
        "{t}の配達で{n}が{p}"},
       {}},
      {"notifications",
       2,
       {"通知", "プッシュ通知", "メール", "お知らせ", "メルマガ", "広告", "ポップアップ"},
       {"多い", "うるさい", "しつこい", "止められない", "多すぎる", "邪魔"},
       {},
       {}},
      {"search",
       2,
       {"検索", "検索結果", "キーワード", "絞り込み", "並び替え", "カテゴリ", "商品名"},
       {"出てこない", "ヒットしない", "使いにくい", "不便", "精度が低い", "探しにくい"},
       {"{n}が{p}", "{c}で{n}しても{p}", "{n}で{i}が{p}", "{n}機能が{d}{p}", "{n}の{m}が{p}"},
       {}},
      {"courier_attitude",
       1,
       {"配達員", "ドライバー", "態度", "言葉遣い", "挨拶", "インターホン", "玄関", "対応"},
       {"悪い", "失礼だった", "感じが悪い", "乱暴だった", "無愛想だった", "怖かった"},
       {"{n}の{m}が{p}", "{t}来た{n}が{d}{p}", "{n}が{p}", "{n}の対応が{p}",
        "{c}を投げるように置かれて{p}"},
       {}},
      {"ui_design",
       3,
       {"文字", "デザイン", "ボタン", "レイアウト", "メニュー", "フォント", "配色", "アイコン"},
       {"小さい", "見にくい", "押しにくい", "分かりにくい", "ごちゃごちゃしている", "使いにくい"},
       {},
       {}},
      {"feature_request",
       4,
       {"機能", "お気に入り", "定期便", "まとめ買い", "買い物リスト", "レシピ", "ウィジェット",
        "ダークモード", "履歴"},
       {"欲しい", "追加してほしい", "付けてほしい", "あったら嬉しい", "対応してほしい",
        "あると便利"},
       {"{n}が{p}", "{n}機能が{p}", "{c}の{n}が{p}", "{s}に{n}が{p}", "{n}と{m}が{p}",
        "{d}{n}が{p}です"},
       {"検討をお願いします。", "よろしくお願いします。", "期待しています！",
        "ぜひお願いします。"}},
      {"chat_support",
       2,
       {"チャット", "返信", "回答", "自動応答", "ボット", "問い合わせフォーム", "サポート"},
       {"遅い", "来ない", "的外れ", "役に立たない", "テンプレ", "返ってこない"},
       {},
       {}},
      {"drop_off",
       2,
       {"置き配", "宅配ボックス", "玄関前", "不在票", "再配達", "指定場所", "置き場所"},
       {"使えない", "守られない", "盗まれた", "違った", "困る", "面倒"},
       {},
       {}},
      {"order_change",
       2,
       {"注文", "キャンセル", "変更", "追加注文", "数量", "締め切り", "注文履歴"},
       {"できない", "間に合わない", "反映されない", "早すぎる", "分かりにくい"},
       {"{n}が{p}", "{n}の{m}が{p}", "{t}{n}しようとしたら{p}", "{i}の{n}が{p}",
        "{n}{x}分前なのに{p}"},
       {}},
      {"subscription_plan",
       3,
       {"会員プラン", "月額", "プレミアム会員", "年会費", "サブスク", "自動更新", "会費"},
       {"高い", "微妙", "分かりにくい", "割に合わない", "魅力がない", "値上げされた"},
       {},
       {}},
      {"product_info",
       3,
       {"商品説明", "写真", "画像", "原材料", "産地", "アレルギー表示", "内容量", "サイズ"},
       {"違う", "少ない", "分かりにくい", "載っていない", "実物と違った", "不十分"},
       {"{i}の{n}が{p}", "{n}が{p}", "{c}の{n}が{d}{p}", "{n}と{m}が{p}", "{t}買った{i}の{n}が{p}"},
       {}},
      {"cancellation",
       2,
       {"解約", "退会", "解約方法", "手続き", "違約金", "引き止め", "解約ページ"},
       {"できない", "分かりにくい", "面倒", "見つからない", "しつこい"},
       {},
       {}},
      {"account_registration",
       3,
       {"会員登録", "メールアドレス", "登録", "住所", "本人確認", "入力フォーム", "郵便番号"},
       {"面倒", "分かりにくい", "できない", "長い", "エラーになる"},
       {},
       {}},
      {"reviews",
       3,
       {"レビュー", "口コミ", "評価", "星", "投稿", "コメント"},
       {"少ない", "参考にならない", "投稿できない", "消された", "信用できない"},
       {"{i}の{n}が{p}", "{n}が{p}", "{c}の{n}が{d}{p}", "{n}機能の{m}が{p}"},
       {}},
      {"invoice",
       3,
       {"領収書", "請求書", "明細", "請求額", "インボイス", "金額", "発行"},
       {"出せない", "分からない", "合わない", "間違っている", "発行できない"},
       {},
       {}},
      {"privacy_security",
       2,
       {"個人情報", "不正利用", "セキュリティ", "乗っ取り", "不審なメール", "情報漏洩"},
       {"心配", "不安", "怖い", "あった", "届いた", "大丈夫か気になる"},
       {"{n}が{p}", "{n}が{d}{p}", "{t}{n}が{p}", "{s}の{n}が{p}", "{n}と{m}が{p}"},
       {}},
  };
  return t;
}

/// Words and phrases every topic shares: the function-word glue of real voices.
struct shared_words {
  std::vector<std::string_view> templates = {"{n}が{p}",
                                             "{n}が{d}{p}",
                                             "{t}、{n}が{p}",
                                             "{s}の{n}が{p}",
                                             "{n}、{p}",
                                             "{t}から{n}が{p}",
                                             "{n}も{m}も{p}",
                                             "{c}を頼んだら{n}が{p}",
                                             "{n}が{p}のは困る",
                                             "なんで{n}が{p}の？",
                                             "{n}が{p}んですけど",
                                             "{n}が{p}のをどうにかしてほしい",
                                             "{n}について、{p}",
                                             "{x}回目ですが{n}が{p}",
                                             "{n}の件、{p}",
                                             "{d}{n}が{p}",
                                             "{i}を注文したら{n}が{p}",
                                             "{i}の件で、{n}が{p}"};
  std::vector<std::string_view> closers = {
      "改善してください。",   "よろしくお願いします。", "残念です。",
      "困っています。",       "何とかしてほしい。",     "早く直してください。",
      "検討をお願いします。", "もう使わないかも。",     "他のサービスに乗り換えます。",
      "対応お願いします",     "ほんとに困る",           "以上です。"};
  std::vector<std::string_view> openers = {"いつも利用しています。",
                                           "いつもお世話になっております。",
                                           "初めて利用しました。",
                                           "毎週使っています。",
                                           "正直、",
                                           "すみません、",
                                           "【要望】",
                                           "ずっと使ってますが、",
                                           "子育て中なので助かっていますが、",
                                           "一人暮らしで使ってます。",
                                           "高齢の母の代わりに注文しています。",
                                           "注文番号{o}の件です。"};
  std::vector<std::string_view> times = {"昨日", "今日",   "先週", "今朝", "最近",
                                         "先月", "この前", "先日", "週末", "{x}日前"};
  std::vector<std::string_view> degrees = {"すごく", "かなり", "本当に", "ちょっと",     "とても",
                                           "毎回",   "いつも", "全然",   "めちゃくちゃ", "少し"};
  std::vector<std::string_view> services = {"つばめマート", "このアプリ", "アプリ",
                                            "サービス",     "御社",       "つばめ"};
  std::vector<std::string_view> categories = {
      "牛乳",   "卵",   "野菜",   "お米",       "冷凍食品", "パン",      "肉",
      "魚",     "果物", "飲み物", "日用品",     "おむつ",   "洗剤",      "調味料",
      "お菓子", "豆腐", "納豆",   "ヨーグルト", "お惣菜",   "ティッシュ"};
  std::vector<std::string_view> emoji = {"😡", "😭", "🙏", "👍", "💦", "😅", "✨", "🤔", "😢", "🥲"};
  std::vector<std::string_view> laughs = {"www", "w", "笑", "(笑)", "ｗｗ"};
  std::vector<std::string_view> loud = {"！！", "!!", "！", "？？", "!?", "！！！"};
  std::vector<std::string_view> kana_for_names = {
      "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス",
      "セ", "ソ", "タ", "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ",
      "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ",
      "リ", "ル", "レ", "ロ", "ワ", "ガ", "ギ", "グ", "ゴ", "ザ", "ジ", "ズ", "ダ",
      "デ", "ド", "バ", "ビ", "ブ", "ベ", "ボ", "パ", "ピ", "プ", "ペ", "ポ"};
  /// Segments of the optional `segment` column and their shares in percent.
  std::vector<std::pair<std::string_view, int>> segments = {
      {"無料会員", 60}, {"プレミアム会員", 30}, {"法人", 10}};
};

/// A mt19937_64 stream with our own mapping to ranges; std::*_distribution is avoided because its
/// output differs between standard libraries, and the corpus must be the same everywhere.
class corpus_rng {
 public:
  explicit corpus_rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, n); the modulo bias is below 2^-40 for every n used here.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
  /// True with probability p.
  bool chance(double p) { return unit() < p; }
  /// Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// 32 random bits, for table lookups.
  std::uint32_t bits32() { return static_cast<std::uint32_t>(engine_() >> 32); }

 private:
  std::mt19937_64 engine_;
};

/// Zipf-like choice among n ranked items: weight of rank r is 1 / (r + 1)^s.
class zipf_table {
 public:
  zipf_table() = default;
  zipf_table(std::size_t n, double s) {
    std::vector<double> w(n);
    double total = 0;
    for (std::size_t r = 0; r < n; ++r)
      total += w[r] = 1.0 / std::pow(static_cast<double>(r + 1), s);
    // A cumulative table scaled to 2^32 lets one 32-bit draw and a binary search pick a rank.
    cdf_.resize(n);
    double acc = 0;
    for (std::size_t r = 0; r < n; ++r) {
      acc += w[r] / total;
      cdf_[r] = static_cast<std::uint64_t>(acc * 4294967296.0);
    }
    cdf_.back() = 4294967296ULL;
  }
  std::size_t operator()(corpus_rng& r) const {
    const std::uint64_t u = r.bits32();
    return static_cast<std::size_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<std::uint64_t> cdf_;
};

/// SplitMix64 finalizer: independent seeds for the text and the metadata streams.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// One generated voice.
struct voice {
  std::string text;
  int topic = 0;  ///< Index into `topics()`.
};

/**
 * Generates voices one after another from one seeded stream, so the same seed always gives the
 * same corpus (one stream, not one per voice: reseeding mt19937_64 a million times would cost more
 * than generating). Text and metadata come from separate streams, so asking for the optional
 * columns never changes the texts. Not thread-safe.
 */
class voice_generator {
 public:
  /// Characters per voice are clipped to this range (code points).
  static constexpr std::size_t min_chars = 10, max_chars = 150;
  /// Distinct product brands: the long tail of the vocabulary, as real voices name products.
  static constexpr std::size_t brand_count = 20000;

  explicit voice_generator(std::uint64_t seed)
      : text_rng_(mix64(seed)), meta_rng_(mix64(seed ^ 0x6D657461ULL)) {
    const auto& ts = topics();
    topic_pick_ = zipf_table(ts.size(), 0.6);
    for (const auto& t : ts) {
      noun_pick_.emplace_back(t.nouns.size(), 1.1);
      predicate_pick_.emplace_back(t.predicates.size(), 0.9);
    }
    category_pick_ = zipf_table(w_.categories.size(), 1.0);
    brand_pick_ = zipf_table(brand_count, 1.0);
    // Brand names come from a fixed stream so every seed shares one vocabulary.
    corpus_rng names(0x6B6F65ULL);
    brands_.reserve(brand_count);
    for (std::size_t b = 0; b < brand_count; ++b) {
      std::string name;
      const std::size_t morae = 2 + names.below(3);
      for (std::size_t m = 0; m < morae; ++m) {
        name += w_.kana_for_names[names.below(w_.kana_for_names.size())];
        if (m + 1 < morae && names.chance(0.15)) name += "ー";
      }
      brands_.push_back(std::move(name));
    }
  }

  /// The next voice.
  const voice& next() {
    v_.text.clear();
    v_.topic = static_cast<int>(topic_pick_(text_rng_));
    const topic_def& t = topics()[static_cast<std::size_t>(v_.topic)];
    buf_.clear();
    if (text_rng_.chance(0.35)) expand(pick(w_.openers), t, v_.topic);
    clause(t, v_.topic);
    if (text_rng_.chance(0.6)) {
      join();
      clause(t, v_.topic);
    }
    // Long complaints: a few more clauses on the same topic.
    if (text_rng_.chance(0.07)) {
      for (std::size_t extra = 2 + text_rng_.below(4); extra > 0; --extra) {
        join();
        clause(t, v_.topic);
      }
    }
    // A passing remark on another topic: real voices mix subjects; the label stays the first.
    if (text_rng_.chance(0.1)) {
      join();
      const auto other = static_cast<int>(topic_pick_(text_rng_));
      clause(topics()[static_cast<std::size_t>(other)], other);
    }
    end_sentence();
    if (text_rng_.chance(0.5)) buf_ += pick(t.closers.empty() ? w_.closers : t.closers);
    add_noise();
    while (chars(buf_) < min_chars)
      buf_ += pick(t.closers.empty() ? w_.closers : t.closers);
    transcode_widths();
    // Clipped after the width changes, which may split a voiced kana into two characters.
    clip(v_.text, max_chars);
    return v_;
  }

  /// Star rating, segment and timestamp of a voice on `topic`, as CSV fields ",r,seg,time".
  void append_columns(int topic, std::string& out) {
    const int base = topics()[static_cast<std::size_t>(topic)].rating;
    // Ratings scatter around the topic's typical rating: most voices match it, some do not.
    const double u = meta_rng_.unit();
    const int shift = u < 0.15 ? -1 : u < 0.3 ? 1 : u < 0.35 ? 2 : 0;
    const int rating = std::clamp(base + shift, 1, 5);
    out += ',';
    out += static_cast<char>('0' + rating);
    out += ',';
    std::size_t pct = meta_rng_.below(100);
    for (const auto& [name, share] : w_.segments) {
      if (pct < static_cast<std::size_t>(share)) {
        out += name;
        break;
      }
      pct -= static_cast<std::size_t>(share);
    }
    // A moment in 2024 (a leap year), Japan time.
    static constexpr std::array<int, 12> month_days = {31, 29, 31, 30, 31, 30,
                                                       31, 31, 30, 31, 30, 31};
    const std::size_t second = meta_rng_.below(366ULL * 24 * 3600);
    int day = static_cast<int>(second / 86400);
    int month = 0;
    while (day >= month_days[static_cast<std::size_t>(month)])
      day -= month_days[static_cast<std::size_t>(month++)];
    const auto hms = second % 86400;
    char stamp[40];
    const int len = std::snprintf(stamp, sizeof stamp, ",2024-%02d-%02dT%02d:%02d:%02d+09:00",
                                  month + 1, day + 1, static_cast<int>(hms / 3600),
                                  static_cast<int>(hms / 60 % 60), static_cast<int>(hms % 60));
    out.append(stamp, static_cast<std::size_t>(len));
  }

  /// Number of UTF-8 code points in `s`.
  static std::size_t chars(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
      n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
  }

 protected:
  // Protected, not private: the harder profile (hard_corpus.hpp) builds on these pieces.
  std::string_view pick(const std::vector<std::string_view>& v) {
    return v[text_rng_.below(v.size())];
  }

  void clause(const topic_def& t, int topic) {
    expand(pick(t.templates.empty() ? w_.templates : t.templates), t, topic);
  }

  // Between clauses: mostly a full stop, sometimes a comma, a space or nothing.
  void join() {
    const double u = text_rng_.unit();
    if (u < 0.55) {
      end_sentence();
    } else if (u < 0.8) {
      buf_ += "し、";
    } else if (u < 0.9) {
      buf_ += "　";
    } else {
      buf_ += "、";
    }
  }

  void end_sentence() {
    if (buf_.empty() || ends_with(buf_, "。") || ends_with(buf_, "、")) return;
    const double u = text_rng_.unit();
    if (u < 0.6) {
      buf_ += "。";
    } else if (u < 0.7) {
      buf_ += "！";
    } else if (u < 0.75) {
      buf_ += "…";
    } else if (u < 0.8) {
      buf_ += ' ';
    }
  }

  static bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
  }

  void expand(std::string_view tmpl, const topic_def& t, int topic) {
    const auto ti = static_cast<std::size_t>(topic);
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
      if (tmpl[i] != '{' || i + 2 >= tmpl.size() || tmpl[i + 2] != '}') {
        buf_ += tmpl[i];
        continue;
      }
      switch (tmpl[i + 1]) {
        case 'n':
        case 'm':
          buf_ += t.nouns[noun_pick_[ti](text_rng_)];
          break;
        case 'p':
          buf_ += t.predicates[predicate_pick_[ti](text_rng_)];
          break;
        case 'c':
          buf_ += w_.categories[category_pick_(text_rng_)];
          break;
        case 'i':
          buf_ += brands_[brand_pick_(text_rng_)];
          if (text_rng_.chance(0.5)) buf_ += "の";
          buf_ += w_.categories[category_pick_(text_rng_)];
          break;
        case 't':
          expand(pick(w_.times), t, topic);
          break;
        case 'd':
          buf_ += pick(w_.degrees);
          break;
        case 's':
          buf_ += pick(w_.services);
          break;
        case 'x':
          buf_ += std::to_string(1 + text_rng_.below(text_rng_.chance(0.8) ? 10 : 500));
          break;
        case 'o':
          buf_ += std::to_string(10000000 + text_rng_.below(90000000));
          break;
        default:
          buf_.append(tmpl.substr(i, 3));
          break;
      }
      i += 2;
    }
  }

  // The noise of typed-in feedback: shouting, laughter, emoji, stretched vowels and typos.
  void add_noise() {
    if (text_rng_.chance(0.15)) {
      if (ends_with(buf_, "。")) buf_.resize(buf_.size() - 3);
      buf_ += pick(w_.loud);
    }
    if (text_rng_.chance(0.03)) buf_ += pick(w_.laughs);
    if (text_rng_.chance(0.08)) {
      const std::string_view e = pick(w_.emoji);
      for (std::size_t k = 1 + text_rng_.below(3); k > 0; --k)
        buf_ += e;
    }
    if (text_rng_.chance(0.03)) buf_ += "〜〜";
    if (text_rng_.chance(0.04)) typo();
  }

  // Deletes or doubles one non-ASCII character, as a slip of the keyboard would.
  void typo() {
    const std::size_t n = chars(buf_);
    if (n < 4) return;
    std::size_t target = 1 + text_rng_.below(n - 2), seen = 0, at = 0;
    for (; at < buf_.size(); ++at) {
      if ((static_cast<unsigned char>(buf_[at]) & 0xC0) == 0x80) continue;
      if (seen++ == target) break;
    }
    std::size_t len = 1;
    while (at + len < buf_.size() && (static_cast<unsigned char>(buf_[at + len]) & 0xC0) == 0x80)
      ++len;
    if (len == 1) return;
    if (text_rng_.chance(0.5)) {
      buf_.erase(at, len);
    } else {
      const std::string doubled = buf_.substr(at, len);
      buf_.insert(at, doubled);
    }
  }

  // Cuts `s` to at most `n` code points, at a character boundary.
  static void clip(std::string& s, std::size_t n) {
    std::size_t seen = 0;
    for (std::size_t at = 0; at < s.size(); ++at) {
      if ((static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) continue;
      if (seen++ == n) {
        s.resize(at);
        return;
      }
    }
  }

  // Copies buf_ into the voice, turning ASCII into full-width forms in some voices and katakana
  // into half-width forms in a few, as different keyboards and phones type them.
  void transcode_widths() {
    const bool full_ascii = text_rng_.chance(0.25);
    const bool half_kana = text_rng_.chance(0.03);
    std::string& out = v_.text;
    for (std::size_t i = 0; i < buf_.size();) {
      const auto b0 = static_cast<unsigned char>(buf_[i]);
      if (full_ascii && b0 < 0x80 && std::isalnum(b0)) {
        // U+FF01..U+FF5E mirror ASCII 0x21..0x7E; in UTF-8 that is EF BC xx or EF BD xx.
        const unsigned cp = 0xFF00u + (b0 - 0x20u);
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
        ++i;
        continue;
      }
      if (half_kana && b0 == 0xE3 && i + 2 < buf_.size()) {
        const unsigned cp = ((b0 & 0x0Fu) << 12) |
                            ((static_cast<unsigned char>(buf_[i + 1]) & 0x3Fu) << 6) |
                            (static_cast<unsigned char>(buf_[i + 2]) & 0x3Fu);
        if (const std::string_view h = half_width_katakana(cp); !h.empty()) {
          out += h;
          i += 3;
          continue;
        }
      }
      out += buf_[i++];
    }
  }

  // Half-width form of a katakana code point (voiced ones take a separate mark), or empty.
  // ヮ, ヰ and ヱ have no half-width forms; ﾜ, ｲ and ｴ stand in, as phone keyboards type them.
  static std::string_view half_width_katakana(unsigned cp) {
    static constexpr std::array<std::string_view, 84> table = {
        "ｧ",  "ｱ",  "ｨ", "ｲ",  "ｩ",  "ｳ",  "ｪ",  "ｴ",  "ｫ",  "ｵ",  "ｶ",  "ｶﾞ", "ｷ",  "ｷﾞ",
        "ｸ",  "ｸﾞ", "ｹ", "ｹﾞ", "ｺ",  "ｺﾞ", "ｻ",  "ｻﾞ", "ｼ",  "ｼﾞ", "ｽ",  "ｽﾞ", "ｾ",  "ｾﾞ",
        "ｿ",  "ｿﾞ", "ﾀ", "ﾀﾞ", "ﾁ",  "ﾁﾞ", "ｯ",  "ﾂ",  "ﾂﾞ", "ﾃ",  "ﾃﾞ", "ﾄ",  "ﾄﾞ", "ﾅ",
        "ﾆ",  "ﾇ",  "ﾈ", "ﾉ",  "ﾊ",  "ﾊﾞ", "ﾊﾟ", "ﾋ",  "ﾋﾞ", "ﾋﾟ", "ﾌ",  "ﾌﾞ", "ﾌﾟ", "ﾍ",
        "ﾍﾞ", "ﾍﾟ", "ﾎ", "ﾎﾞ", "ﾎﾟ", "ﾏ",  "ﾐ",  "ﾑ",  "ﾒ",  "ﾓ",  "ｬ",  "ﾔ",  "ｭ",  "ﾕ",
        "ｮ",  "ﾖ",  "ﾗ", "ﾘ",  "ﾙ",  "ﾚ",  "ﾛ",  "ﾜ",  "ﾜ",  "ｲ",  "ｴ",  "ｦ",  "ﾝ",  "ｳﾞ"};
    if (cp >= 0x30A1 && cp <= 0x30F4) return table[cp - 0x30A1];
    if (cp == 0x30FC) return "ｰ";
    return {};
  }

  shared_words w_;
  corpus_rng text_rng_, meta_rng_;
  zipf_table topic_pick_, category_pick_, brand_pick_;
  std::vector<zipf_table> noun_pick_, predicate_pick_;
  std::vector<std::string> brands_;
  std::string buf_;
  voice v_;
};

/// The first `n` voices of `seed`: texts and their topics.
struct generated_corpus {
  std::vector<std::string> texts;
  std::vector<int> topics;
  std::size_t bytes = 0;  ///< Total UTF-8 bytes of the texts.
};

/// `Generator` picks the profile: voice_generator (default) or hard_voice_generator.
template <class Generator = voice_generator>
generated_corpus generate_corpus(std::size_t n, std::uint64_t seed) {
  generated_corpus c;
  c.texts.reserve(n);
  c.topics.reserve(n);
  Generator g(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const voice& v = g.next();
    c.texts.push_back(v.text);
    c.topics.push_back(v.topic);
    c.bytes += v.text.size();
  }
  return c;
}

/// Appends `field` to `out` as one CSV field, quoted only when RFC 4180 requires it.
inline void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace koe::bench
