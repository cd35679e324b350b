// libFuzzer target: the DMARC aggregate report reader (XML, gzip, zip, e-mail attachment) must
// never crash, hang or expand without limit; bad input is an InputError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/aggregate.hpp"
#include "auth/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in(reinterpret_cast<const char*>(data), size);
    auth::AggregateLimits limits;
    limits.max_archive_bytes = 4u << 20;  // keep each run cheap; the limit logic is the same
    limits.max_xml_bytes = 4u << 20;
    try {
        for (const auto& r : auth::read_aggregate(in, limits)) {
            (void)auth::aggregate_json(r).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
            (void)auth::aggregate_text(r);
        }
    } catch (const auth::InputError&) {
    }
    return 0;
}
