// libFuzzer target: DKIM key records (auth::parse_dkim_key, RFC 6376 §3.6.1) and tag lists.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/dkim_key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto p = auth::parse_dkim_key(text);
    if (p.ok() && !p.record.revoked) {
        (void)p.record.allows_hash("sha256");
        (void)p.record.for_email();
        (void)p.record.testing();
    }
    auto l = auth::parse_dkim_tag_list(text);
    if (l.ok()) (void)l.find("p");
    auto b = auth::decode_base64(auth::strip_whitespace(text));
    if (b) (void)auth::encode_base64(*b);
    return 0;
}
