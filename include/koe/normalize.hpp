/// Text normalization for Japanese customer voices (NFKC, case, long vowels, repeats, PII masks).
#pragma once

#include <koe/export.hpp>
#include <string>
#include <string_view>

namespace koe {

/// Each rule can be turned off; all but `remove_emoji` are on by default (docs/normalization.md).
struct KOE_EXPORT normalize_options {
  bool nfkc = true;               ///< NFKC: full-width ASCII and half-width katakana unified.
  bool fold_case = true;          ///< Latin letters to lower case; other scripts keep theirs.
  bool unify_long_vowels = true;  ///< After kana, dashes and waves to ー; elsewhere 〜.
  bool collapse_repeats = true;   ///< Runs to one: ！！→!, wwww→w, 笑笑笑→笑.
  bool mask_urls = true;          ///< http(s)://… and www.… to the placeholder "<url>".
  bool mask_emails = true;        ///< name@example.com to "<email>".
  bool mask_phones = true;        ///< 090-1234-5678, 03(1234)5678, +81-90-… to "<phone>".
  bool remove_emoji = false;      ///< Drop emoji with their ZWJ, skin-tone and flag sequences.
  bool trim = true;               ///< Collapse whitespace runs to one space; trim both ends.

  friend bool operator==(const normalize_options&, const normalize_options&) = default;
};

/**
 * Returns the normalized form of `text` (UTF-8 in, UTF-8 out). Rules run in the order NFKC, case
 * folding, emoji removal, masks, long vowels, repeats, whitespace, so later rules never touch the
 * placeholders. Ill-formed UTF-8 becomes U+FFFD. Normalizing twice gives what normalizing once
 * gives: `normalize(normalize(x, o), o) == normalize(x, o)`. Thread-safe.
 *
 * @param text     one voice, any length up to 2 GiB
 * @param options  which rules to apply
 * @throws koe::error `invalid_argument` if `text` is longer than 2 GiB; `io_failure` if ICU cannot
 *         load its normalization data
 *
 * **Example**
 * ```cpp
 * koe::normalize("ｱﾌﾟﾘが重い！！！ ＵＲＬ→https://x.jp", {});  // "アプリが重い! url→<url>"
 * koe::normalize("すご〜〜い 090-1234-5678", {});             // "すごーい <phone>"
 * ```
 */
[[nodiscard]] KOE_EXPORT std::string normalize(std::string_view text,
                                               const normalize_options& options = {});

}  // namespace koe
