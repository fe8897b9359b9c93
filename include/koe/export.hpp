/// KOE_EXPORT marks the library's public classes and functions. The shared library (libkoe.so)
/// is built with hidden visibility, so only what carries the mark is part of its ABI; the static
/// library and any compiler without ELF visibility see an empty mark.
#pragma once

#if defined(KOE_SHARED) && (defined(__GNUC__) || defined(__clang__))
#define KOE_EXPORT [[gnu::visibility("default")]]
#else
#define KOE_EXPORT
#endif
