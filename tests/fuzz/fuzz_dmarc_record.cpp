// libFuzzer target: the DMARC record parser (RFC 9989 §4.7, RFC 7489 §6.3), both modes, and the
// DMARC evaluation over a replay DNS answering the fuzzed record.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/dmarc.hpp"

namespace {
// A resolver that answers every TXT question with the fuzzed text and everything else NXDOMAIN.
class OneRecord : public auth::Resolver {
public:
    explicit OneRecord(std::string t) : t_(std::move(t)) {}
    auth::DnsAnswer query(const std::string& name, auth::RRType type) override {
        auth::DnsAnswer a;
        a.qname = auth::fqdn(name);
        a.qtype = type;
        if (type != auth::RRType::TXT) return a;
        a.status = auth::DnsStatus::ok;
        auth::DnsRecord r;
        r.name = a.qname;
        r.strings.push_back(t_);
        a.records.push_back(r);
        return a;
    }
private:
    std::string t_;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in(reinterpret_cast<const char*>(data), size);
    (void)auth::parse_dmarc_record(in, auth::DmarcMode::rfc9989);
    (void)auth::parse_dmarc_record(in, auth::DmarcMode::rfc7489);
    OneRecord dns(in);
    auth::DmarcOptions o;
    auto r = auth::evaluate_dmarc("a.b.example.com", {{"example.com", auth::Result::pass, "s"}}, std::nullopt, dns, o);
    (void)auth::dmarc_json(r);
    return 0;
}
