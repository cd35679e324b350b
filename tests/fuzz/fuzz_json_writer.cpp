// Fuzz target: the compact JSON writer (detail/json_writer.hpp) must write exactly what
// nlohmann's dump(-1, ' ', false, replace) writes: for the input as one string (any bytes), and
// for the input parsed as JSON when it is JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "detail/json_writer.hpp"

using auth::detail::OrderedJson;

static void same(const OrderedJson& j) {
    std::string ours;
    auth::detail::append_json(ours, j);
    if (ours != j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace)) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string s(reinterpret_cast<const char*>(data), size);
    same(OrderedJson(s));
    OrderedJson parsed = OrderedJson::parse(s, nullptr, false);
    if (!parsed.is_discarded()) same(parsed);
    return 0;
}
