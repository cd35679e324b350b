// libFuzzer target: the Authentication-Results parser (RFC 8601) must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/authres.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto ar = auth::parse_authentication_results(in);
    for (const auto& c : ar.results) (void)auth::ar_property(c, "header.d");
    return 0;
}
