// Fuzz target: the DNS snapshot reader (RFC 1035 master-file text plus ";; authscope:" directives).
// Anything that parses is queried, written back with write_snapshot and must read back again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "auth/dns.hpp"
#include "auth/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 64 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::shared_ptr<auth::Resolver> r;
    try {
        r = auth::make_replay_resolver_from_text(text, "<fuzz>");
    } catch (const auth::InputError&) {
        return 0;
    }
    // Ask about names the input is likely to mention, plus a few fixed ones.
    auth::RecordingResolver rec(r);
    const auth::RRType types[] = {auth::RRType::TXT, auth::RRType::A,    auth::RRType::AAAA, auth::RRType::MX,
                                  auth::RRType::CNAME, auth::RRType::PTR, auth::RRType::SPF,  auth::RRType::NS,
                                  auth::RRType::SOA};
    std::string names[] = {"a.test.", "b.a.test.", "x.test.", ".", "example.com.", ""};
    // The first word of the input, as a name.
    const auto end = text.find_first_of(" \t\n");
    names[5] = text.substr(0, end == std::string::npos ? text.size() : end).substr(0, 300);
    for (const auto& n : names)
        for (auto t : types) rec.query(n, t);
    const std::string snap = auth::write_snapshot(rec.answers());
    try {
        auto back = auth::make_replay_resolver_from_text(snap, "<written>");
        for (const auto& a : rec.answers()) {
            auto b = back->query(a.qname, a.qtype);
            // An answer write_snapshot cannot express as records is kept as ERROR; otherwise the same.
            if (b.status != a.status && b.status != auth::DnsStatus::error) std::abort();
        }
    } catch (const auth::InputError&) {
        std::abort();  // write_snapshot produced something its own reader rejects
    }
    return 0;
}
