// Fuzz target: the mbox splitter (auth::MboxReader) and the reader on every message it yields;
// the extent walk (what worker processes read) must find the same messages, byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "auth/error.hpp"
#include "auth/message.hpp"
#include "auth/samples.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t block = size ? 1 + data[0] % 64 : 1;  // small blocks: lines cross them
    std::istringstream in(input);
    auth::MboxReader reader(in, 1 << 16, "", block);
    std::string bytes, error;
    std::vector<std::string> messages;
    int guard = 0;
    while (reader.next(bytes, error) && ++guard < 100000) {
        messages.push_back(error.empty() ? bytes : "error: " + error);
        if (!error.empty()) continue;
        try {
            auth::Message::parse(bytes);
        } catch (const auth::InputError&) {
        }
    }
    std::istringstream in2(input);
    auth::MboxReader walker(in2, 1 << 16, "", block);
    auth::MboxReader::Extent x;
    std::size_t k = 0;
    while (walker.next_extent(x, error) && k < messages.size()) {
        std::string m;
        if (!error.empty()) {
            m = "error: " + error;
        } else {
            if (x.offset > input.size() || x.length > input.size() - x.offset) std::abort();
            m = input.substr(x.offset, x.length);
            if (x.quoted) auth::mbox_unquote(m);
        }
        if (m != messages[k++]) std::abort();
    }
    if (k != messages.size() || walker.next_extent(x, error)) std::abort();
    return 0;
}
