// The CSV/TSV record grammar (RFC 4180, read leniently), written once for the parser that
// splits records into fields and the cutter that only finds where records end. Private.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace koe::detail::csv {

/// Where a record stands after the bytes read so far.
enum class state : std::uint8_t {
  field_start,  ///< At the start of a field: a quote here opens quoting.
  plain,        ///< In an unquoted field (or a quoted one read on after a stray character).
  quoted,       ///< Inside quotes.
  after_quote,  ///< Just after a quote inside quotes: it closed them, or a second one follows.
  cr,           ///< Just after a CR outside quotes, held back: a LF next ends the record.
  quote_cr,     ///< As `cr`, the CR right after a closing quote.
  quoted_cr,    ///< Just after a CR inside quotes, held back: a LF next makes one line break.
};
inline constexpr std::size_t states = 7;

/// What a byte is to the grammar.
enum class byte_class : std::uint8_t { other, quote, delimiter, lf, cr };
inline constexpr std::size_t byte_classes = 5;

/// What reading a byte does besides moving to the next state, in this order.
enum action : std::uint8_t {
  none = 0,
  stray_after_quote = 1,  ///< Problem: "unexpected character after closing quote".
  keep_cr = 2,            ///< The CR held back is text: append it to the field.
  keep_byte = 4,          ///< Append the byte to the field.
  next_field = 8,         ///< The field ends; the next one starts.
  end_record = 16,        ///< The record ends (after this byte).
};

struct transition {
  state next;
  std::uint8_t actions;
};

/// The grammar: what reading a byte of class `c` does in state `s`.
constexpr transition step(state s, byte_class c) noexcept {
  using b = byte_class;
  // The byte after a held CR is read as in `plain` (`quoted`) once the CR is appended, except
  // that a LF turns the pair into one line break.
  switch (s) {
    case state::field_start:
      if (c == b::quote) return {state::quoted, none};
      return step(state::plain, c);
    case state::plain:
      if (c == b::delimiter) return {state::field_start, next_field};
      if (c == b::lf) return {state::field_start, end_record};
      if (c == b::cr) return {state::cr, none};
      return {state::plain, keep_byte};
    case state::cr: {
      if (c == b::lf) return {state::field_start, end_record};
      const transition t = step(state::plain, c);
      return {t.next, static_cast<std::uint8_t>(t.actions | keep_cr)};
    }
    case state::quoted:
      if (c == b::quote) return {state::after_quote, none};
      if (c == b::cr) return {state::quoted_cr, none};
      return {state::quoted, keep_byte};
    case state::quoted_cr: {
      if (c == b::lf) return {state::quoted, keep_byte};
      const transition t = step(state::quoted, c);
      return {t.next, static_cast<std::uint8_t>(t.actions | keep_cr)};
    }
    case state::after_quote:
      if (c == b::quote) return {state::quoted, keep_byte};
      if (c == b::delimiter) return {state::field_start, next_field};
      if (c == b::lf) return {state::field_start, end_record};
      if (c == b::cr) return {state::quote_cr, none};
      return {state::plain, stray_after_quote | keep_byte};
    case state::quote_cr: {
      if (c == b::lf) return {state::field_start, end_record};
      const transition t = step(state::cr, c);
      return {t.next, static_cast<std::uint8_t>(t.actions | stray_after_quote)};
    }
  }
  return {state::plain, keep_byte};
}

/// What the end of the input does to a record it ends in state `s`.
enum end_action : std::uint8_t {
  ends = 0,          ///< Nothing more: a held CR outside quotes ends the line.
  append_lf = 1,     ///< A held CR inside quotes is a line break: append a LF.
  unterminated = 2,  ///< Problem: "unterminated quote".
};

constexpr std::uint8_t finish(state s) noexcept {
  if (s == state::quoted_cr) return append_lf | unterminated;
  return s == state::quoted ? unterminated : ends;
}

/// The transitions as a table, indexed by state and byte class.
using table = std::array<std::array<transition, byte_classes>, states>;

constexpr table make_table() noexcept {
  table t{};
  for (std::size_t s = 0; s < states; ++s)
    for (std::size_t c = 0; c < byte_classes; ++c)
      t[s][c] = step(static_cast<state>(s), static_cast<byte_class>(c));
  return t;
}
inline constexpr table transitions = make_table();

constexpr bool in_quotes(state s) noexcept {
  return s == state::quoted || s == state::quoted_cr;
}

/// Classes of the 256 byte values for one delimiter.
using class_table = std::array<byte_class, 256>;

constexpr class_table make_classes(char delimiter) noexcept {
  class_table t{};
  t.fill(byte_class::other);
  t[static_cast<unsigned char>(delimiter)] = byte_class::delimiter;
  t[static_cast<unsigned char>('"')] = byte_class::quote;
  t[static_cast<unsigned char>('\n')] = byte_class::lf;
  t[static_cast<unsigned char>('\r')] = byte_class::cr;
  return t;
}

// The cutter's shortcuts, proved on the grammar:
// 1. Outside quotes, no byte but a quote enters quotes, and a LF ends the record: so a line
//    without a quote ends its record at its LF, whatever the state it starts in.
// 2. Inside quotes, no byte but a quote leaves them, and a quote leads to the same state from
//    either quoted state: so the cutter may skip to the next quote.
constexpr bool shortcuts_hold() noexcept {
  for (std::size_t s = 0; s < states; ++s) {
    const auto st = static_cast<state>(s);
    for (std::size_t c = 0; c < byte_classes; ++c) {
      const auto cls = static_cast<byte_class>(c);
      const transition t = transitions[s][c];
      if (cls == byte_class::quote) continue;
      if (!in_quotes(st) && cls == byte_class::lf && (t.actions & end_record) == 0) return false;
      if (!in_quotes(st) && (in_quotes(t.next) || t.next == state::after_quote)) return false;
      if (in_quotes(st) && (!in_quotes(t.next) || (t.actions & end_record) != 0)) return false;
    }
  }
  const auto q = static_cast<std::size_t>(byte_class::quote);
  return transitions[static_cast<std::size_t>(state::quoted)][q].next ==
         transitions[static_cast<std::size_t>(state::quoted_cr)][q].next;
}
static_assert(shortcuts_hold(), "the cutter's shortcuts must follow from the grammar");

}  // namespace koe::detail::csv
