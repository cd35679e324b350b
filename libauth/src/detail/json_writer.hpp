// Compact JSON output for the JSON Lines the tools print: byte for byte what nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) gives, without its per-byte UTF-8 state machine
// on the common case (strings of valid UTF-8 are copied in runs; nlohmann renders the rest).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace auth::detail {

using OrderedJson = nlohmann::ordered_json;

// Appends j, compact, to out.
void append_json(std::string& out, const OrderedJson& j);
// Appends s as a JSON string (quoted, escaped; invalid UTF-8 replaced by U+FFFD as nlohmann does).
void append_json_string(std::string& out, std::string_view s);

}  // namespace auth::detail
