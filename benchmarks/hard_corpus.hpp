// The harder corpus profile (`koe-generate --hard`): longer voices that name stores, places,
// ages, dates and product codes, often carry several complaints, and repeat one another exactly
// or nearly, as real feedback forms collect them. The `topic` of a voice is its first (main)
// complaint, so clustering quality can still be scored. Never part of the library.
#pragma once

#include "corpus_generator.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace koe::bench {

/// Words only the harder profile uses: the rare, specific words of real voices.
struct hard_words {
  std::vector<std::string_view> places = {
      "札幌", "仙台",   "盛岡",   "秋田",   "山形", "郡山",   "水戸",   "宇都宮", "前橋", "高崎",
      "大宮", "浦和",   "川越",   "所沢",   "千葉", "船橋",   "柏",     "松戸",   "新宿", "渋谷",
      "池袋", "品川",   "目黒",   "世田谷", "練馬", "吉祥寺", "立川",   "八王子", "町田", "横浜",
      "川崎", "相模原", "藤沢",   "新潟",   "富山", "金沢",   "福井",   "甲府",   "長野", "松本",
      "岐阜", "静岡",   "浜松",   "名古屋", "豊田", "津",     "大津",   "京都",   "大阪", "梅田",
      "難波", "堺",     "神戸",   "姫路",   "奈良", "和歌山", "岡山",   "広島",   "福山", "山口",
      "徳島", "高松",   "松山",   "高知",   "福岡", "博多",   "北九州", "佐賀",   "長崎", "熊本",
      "大分", "宮崎",   "鹿児島", "那覇"};
  std::vector<std::string_view> store_suffixes = {"駅前",         "中央",     "北口", "南口",
                                                  "東",           "西",       "本",   "第二",
                                                  "ニュータウン", "インター", "港",   "公園前"};
  /// Who is writing; the first words of many voices. Slots below.
  std::vector<std::string_view> personas = {"{a}代の主婦です。",
                                            "{a}代男性です。",
                                            "{a}代、会社員です。",
                                            "{y}歳、一人暮らしです。",
                                            "{y}歳の母の代わりに書いています。",
                                            "{r}在住の{a}代です。",
                                            "{r}に住んでいる{a}代女性です。",
                                            "共働きで子どもが{k}人います。",
                                            "{a}代夫婦で{r}から利用しています。",
                                            "学生です。",
                                            "{S}の近くに住んでいます。",
                                            "プレミアム会員歴{k}年です。"};
  /// Specifics put in front of a complaint.
  std::vector<std::string_view> details = {"注文番号{o}で、",        "商品コード{q}の件で、",
                                           "{M}月{D}日の注文で、",   "{M}月{D}日、",
                                           "{h}時から{H}時の枠で、", "{S}の担当分で、",
                                           "{S}から届いた分で、",    "{r}の実家に送った分で、",
                                           "{q}を頼んだら、",        "{y}歳の父の注文で、"};
  /// Between the main complaint and the next one.
  std::vector<std::string_view> connectors = {"それと、",   "あと、",     "ついでに言うと、",
                                              "また、",     "それから、", "別件ですが、",
                                              "もう一つ、", "さらに、",   "ちなみに"};
};

/**
 * Voices of the harder profile, from the same seeded stream as the default profile but composed
 * differently, so the two corpora of one seed share nothing but their vocabulary of topics.
 * Deterministic for a seed. Not thread-safe.
 */
class hard_voice_generator : public voice_generator {
 public:
  /// Characters per voice are clipped to this length (code points).
  static constexpr std::size_t hard_max_chars = 400;
  /// Earlier voices kept for exact and near repeats.
  static constexpr std::size_t recent_count = 4096;

  explicit hard_voice_generator(std::uint64_t seed) : voice_generator(mix64(seed ^ 0x68617264ULL)) {
    store_pick_ = zipf_table(h_.places.size() * h_.store_suffixes.size(), 0.9);
    place_pick_ = zipf_table(h_.places.size(), 0.8);
    code_pick_ = zipf_table(26 * 26, 1.0);
    recent_.reserve(recent_count);
  }

  /// The next voice.
  const voice& next() {
    const double u = text_rng_.unit();
    if (u < 0.05 && !recent_.empty()) {
      // The same voice sent twice, or pasted from an earlier form.
      const voice& old = recent_[text_rng_.below(recent_.size())];
      v_.text = old.text;
      v_.topic = old.topic;
      return v_;
    }
    if (u < 0.12 && !recent_.empty()) {
      near_repeat();
    } else if (u < 0.24) {
      short_voice();
    } else {
      compose();
    }
    remember();
    return v_;
  }

 private:
  // A brief voice: one clause, nothing else; brief voices repeat one another by chance.
  void short_voice() {
    v_.text.clear();
    buf_.clear();
    v_.topic = static_cast<int>(topic_pick_(text_rng_));
    const topic_def& t = topics()[static_cast<std::size_t>(v_.topic)];
    clause(t, v_.topic);
    if (text_rng_.chance(0.5)) buf_ += "。";
    transcode_widths();
  }

  // A long voice: who writes, then the main complaint with specifics, then often others.
  void compose() {
    v_.text.clear();
    buf_.clear();
    v_.topic = static_cast<int>(topic_pick_(text_rng_));
    const topic_def& t = topics()[static_cast<std::size_t>(v_.topic)];
    if (text_rng_.chance(0.3)) expand_hard(pick(h_.personas), t, v_.topic);
    if (text_rng_.chance(0.2)) expand(pick(w_.openers), t, v_.topic);
    if (text_rng_.chance(0.35)) expand_hard(pick(h_.details), t, v_.topic);
    clause(t, v_.topic);
    if (text_rng_.chance(0.25)) {
      join();
      clause(t, v_.topic);
    }
    // Other complaints in the same voice; the label stays the first.
    const double more = text_rng_.unit();
    const std::size_t others = more < 0.3 ? 1 : more < 0.4 ? 2 : more < 0.43 ? 3 : 0;
    for (std::size_t o = 0; o < others; ++o) {
      if (!ends_with(buf_, "？") && !ends_with(buf_, "！")) end_sentence();
      buf_ += pick(h_.connectors);
      const auto other = static_cast<int>(topic_pick_(text_rng_));
      const topic_def& ot = topics()[static_cast<std::size_t>(other)];
      if (text_rng_.chance(0.25)) expand_hard(pick(h_.details), ot, other);
      clause(ot, other);
    }
    end_sentence();
    if (text_rng_.chance(0.4)) buf_ += pick(t.closers.empty() ? w_.closers : t.closers);
    add_noise();
    while (chars(buf_) < min_chars)
      buf_ += pick(t.closers.empty() ? w_.closers : t.closers);
    transcode_widths();
    clip(v_.text, hard_max_chars);
  }

  // An earlier voice sent again with a small change: a typo, a closer, a different number.
  void near_repeat() {
    const voice& old = recent_[text_rng_.below(recent_.size())];
    buf_ = old.text;
    v_.topic = old.topic;
    const double u = text_rng_.unit();
    if (u < 0.35) {
      typo();
    } else if (u < 0.6) {
      buf_ += pick(w_.loud);
    } else if (u < 0.8) {
      buf_ += pick(w_.closers);
    } else {
      // Every ASCII digit shifted by one: another order number, time or count.
      for (char& c : buf_)
        if (c >= '0' && c <= '9') c = c == '9' ? '0' : static_cast<char>(c + 1);
    }
    v_.text = buf_;
    clip(v_.text, hard_max_chars);
  }

  void remember() {
    if (recent_.size() < recent_count) {
      recent_.push_back(v_);
    } else {
      recent_[text_rng_.below(recent_count)] = v_;
    }
  }

  // Expands the slots of the harder profile; the others go to the default expansion.
  void expand_hard(std::string_view tmpl, const topic_def& t, int topic) {
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
      if (tmpl[i] != '{' || i + 2 >= tmpl.size() || tmpl[i + 2] != '}') {
        buf_ += tmpl[i];
        continue;
      }
      switch (tmpl[i + 1]) {
        case 'a':  // an age bracket
          buf_ += std::to_string(10 * (2 + text_rng_.below(7)));
          break;
        case 'y':  // an exact age
          buf_ += std::to_string(18 + text_rng_.below(75));
          break;
        case 'k':
          buf_ += std::to_string(1 + text_rng_.below(4));
          break;
        case 'r':
          buf_ += h_.places[place_pick_(text_rng_)];
          break;
        case 'S': {  // a store: つばめマート + place + suffix + 店
          const std::size_t s = store_pick_(text_rng_);
          buf_ += "つばめマート";
          buf_ += h_.places[s % h_.places.size()];
          buf_ += h_.store_suffixes[s / h_.places.size()];
          buf_ += "店";
          break;
        }
        case 'q': {  // a product code: two letters, a hyphen and four or five digits
          const std::size_t c = code_pick_(text_rng_);
          buf_ += static_cast<char>('A' + c / 26);
          buf_ += static_cast<char>('A' + c % 26);
          buf_ += '-';
          buf_ += std::to_string(1000 + text_rng_.below(text_rng_.chance(0.7) ? 9000 : 99000));
          break;
        }
        case 'M':
          buf_ += std::to_string(1 + text_rng_.below(12));
          break;
        case 'D':
          buf_ += std::to_string(1 + text_rng_.below(28));
          break;
        case 'h':  // the start of a delivery window
          hour_ = 8 + text_rng_.below(12);
          buf_ += std::to_string(hour_);
          break;
        case 'H':  // its end, two or four hours later
          buf_ += std::to_string(hour_ + (text_rng_.chance(0.5) ? 2 : 4));
          break;
        default:
          expand(tmpl.substr(i, 3), t, topic);
          break;
      }
      i += 2;
    }
  }

  hard_words h_;
  zipf_table store_pick_, place_pick_, code_pick_;
  std::vector<voice> recent_;
  std::size_t hour_ = 8;
};

}  // namespace koe::bench
