// libFuzzer target: the MIME decoder (GMime adapter) and the HTML renderer must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/error.hpp"
#include "auth/mime.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in(reinterpret_cast<const char*>(data), size);
    std::vector<auth::MimeLink> links;
    (void)auth::html_to_text(in, &links);
    try {
        auth::Message m = auth::Message::parse(in);
        auth::MimeLimits l;
        l.max_parts = 64;
        l.max_decoded_bytes = 1 << 20;
        auto d = auth::decode_mime(m, l);
        (void)d.all_text();
    } catch (const auth::InputError&) {
        // Not a message at all: the reader says so; nothing to decode.
    }
    return 0;
}
