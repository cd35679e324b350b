// Fuzz target: the worker pool's reply decoder (detail/worker_pool.hpp). A reply that decodes
// must encode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "detail/worker_pool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::uint64_t seq = 0;
    auth::detail::Rendered r;
    if (auth::detail::decode_rendered(in, seq, r) && auth::detail::encode_rendered(seq, r) != in) std::abort();
    return 0;
}
