// Fuzz target: the mbox splitter (auth::MboxReader) and the reader on every message it yields.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "auth/error.hpp"
#include "auth/message.hpp"
#include "auth/samples.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    auth::MboxReader reader(in, 1 << 16);
    std::string bytes, error;
    int guard = 0;
    while (reader.next(bytes, error) && ++guard < 100000) {
        if (!error.empty()) continue;
        try {
            auth::Message::parse(bytes);
        } catch (const auth::InputError&) {
        }
    }
    return 0;
}
