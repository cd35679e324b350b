// Fuzz target: the message reader (auth::Message::parse) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/error.hpp"
#include "auth/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auth::MessageLimits lim;
    lim.max_header_field_bytes = 4096;
    lim.max_header_fields = 200;
    try {
        auth::Message m = auth::Message::parse(std::string(reinterpret_cast<const char*>(data), size), lim);
        std::size_t n = 0;
        for (const auto& h : m.headers()) n += h.raw.size() + h.value.size();
        n += m.body().size() + m.header_bytes().size();
        if (m.first("from")) ++n;
        (void)n;
    } catch (const auth::InputError&) {
    }
    return 0;
}
