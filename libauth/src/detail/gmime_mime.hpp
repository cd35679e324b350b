// GMime 3 adapter for auth/mime.hpp: the only place GMime types are used.
#pragma once
#include <string>
#include <string_view>

#include "auth/mime.hpp"

namespace auth::detail {

// Initialises GMime once for the process (g_mime_init is not thread-safe; afterwards separate
// objects may be used from several threads). Every GMime user calls it first.
void gmime_init();

// Walks the MIME tree of raw message bytes with GMime (RFC 2045-2049) into `out`.
void gmime_decode(std::string_view bytes, const MimeLimits& limits, DecodedMessage& out);

// RFC 2047 §6 decoding of an unstructured header value with GMime's lenient decoder.
std::string gmime_decode_header_text(std::string_view value);

// RFC 5322 §3.3 date-time via g_mime_utils_header_decode_date; nullopt when unreadable.
bool gmime_parse_date(std::string_view text, long long* epoch);

// Converts bytes in `charset` to UTF-8 (GMime's charset aliases, glib iconv); invalid
// sequences become U+FFFD. An unknown charset is read as Windows-1252, then UTF-8 checked.
std::string gmime_to_utf8(std::string_view bytes, const std::string& charset);

}  // namespace auth::detail
