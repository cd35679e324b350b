// Fuzz target: the Received chain parser, envelope derivation and Received-SPF parser
// (auth/received.hpp) on arbitrary bytes: a header block whose Received/Return-Path fields are fuzzed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/error.hpp"
#include "auth/message.hpp"
#include "auth/received.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in(reinterpret_cast<const char*>(data), size);
    // One field value alone, as each parser sees it.
    auth::ReceivedHop h = auth::parse_received(in);
    std::size_t n = h.from_ip.size() + h.from_helo.size() + h.by.size() + h.date.size();
    if (!h.from_ip.empty()) n += auth::is_private_ip(h.from_ip) ? 1 : 0;
    if (auto r = auth::parse_received_spf(in)) n += r->client_ip.size() + r->comment.size();
    n += auth::normalize_ip(in).size();
    // And as a whole header block, with trusted hosts taken from the input.
    auth::MessageLimits lim;
    lim.max_header_field_bytes = 4096;
    lim.max_header_fields = 200;
    try {
        auth::Message m = auth::Message::parse(in + "\n\nbody\n", lim);
        auth::Envelope e = auth::derive_envelope(m, {});
        auth::Envelope t = auth::derive_envelope(m, {"example.org", h.by});
        n += e.ip.value.size() + t.helo.value.size() + e.mail_from.value.size();
    } catch (const auth::InputError&) {
    }
    (void)n;
    return 0;
}
