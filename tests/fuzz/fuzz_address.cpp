// libFuzzer target: RFC 5322 address lists, RFC 2047 words and IDN conversion must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto al = auth::parse_address_list(in);
    for (const auto& m : al.mailboxes) (void)m.address();
    (void)auth::decode_encoded_words(in);
    (void)auth::domain_to_ascii(in);
    return 0;
}
