// libFuzzer target: brand profile JSON; a malformed profile must be a UsageError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/brands.hpp"
#include "auth/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auth::BrandSet s;
    try {
        s.load_text(in, "fuzz.json");
        for (const auto& p : s.profiles()) {
            (void)p.owns("a.example");
            (void)s.by_name_in(p.name);
        }
    } catch (const auth::UsageError&) {
    }
    return 0;
}
