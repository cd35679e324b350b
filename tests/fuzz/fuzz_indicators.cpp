// libFuzzer target: every indicator extractor (URLs, addresses, phones, wallets, money), refang,
// redirect unwrapping, and the lure matcher's text folding (auth/lures.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/indicators.hpp"
#include "auth/lures.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auth::Indicators out;
    auth::extract_all(in, "fuzz", out);
    auth::add_href(in, in.substr(0, in.size() / 2), "fuzz", out);
    (void)auth::refang(in);
    (void)auth::defang(in);
    (void)auth::confusable_skeleton(in);
    (void)auth::unwrap_redirect(in);
    auth::unwrap_redirects(out);
    std::string folded = auth::fold_for_matching(in);
    (void)auth::find_lures(folded, size % 2 == 0);
    (void)auth::text_tricks(in);
    if (size < 256) {
        auto d = auth::analyze_domain(in);
        (void)auth::lookalike_of(d, {"paypal.com", "contoso-online.example"});
    }
    return 0;
}
