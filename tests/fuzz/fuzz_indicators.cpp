// libFuzzer target: every indicator extractor (URLs, addresses, phones, wallets, money) and refang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/indicators.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auth::Indicators out;
    auth::extract_all(in, "fuzz", out);
    auth::add_href(in, in.substr(0, in.size() / 2), "fuzz", out);
    (void)auth::refang(in);
    (void)auth::defang(in);
    (void)auth::confusable_skeleton(in);
    if (size < 256) {
        auto d = auth::analyze_domain(in);
        (void)auth::lookalike_of(d, {"paypal.com", "contoso-online.example"});
    }
    return 0;
}
