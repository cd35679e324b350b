// libFuzzer target: the feedback report reader (ARF, RFC 5965 / RFC 6591) must never crash or
// hang; a malformed report is an InputError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/arf.hpp"
#include "auth/error.hpp"
#include "auth/report.hpp"
#include "auth/report_tool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in(reinterpret_cast<const char*>(data), size);
    (void)auth::parse_report_fields(in);
    try {
        auth::FeedbackReport r = auth::parse_feedback_report(in);
        (void)auth::feedback_json(r).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        (void)auth::feedback_text(r);
    } catch (const auth::InputError&) {
    }
    return 0;
}
