// libFuzzer target: DKIM-Signature values (auth::parse_dkim_signature, RFC 6376 §3.5).
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/dkim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto p = auth::parse_dkim_signature(text);
    (void)p.sig.key_type();
    (void)p.sig.hash();
    return 0;
}
