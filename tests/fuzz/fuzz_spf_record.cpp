// Fuzz target: an SPF record from arbitrary bytes through our layer's syntax check, rewrite and
// macro expansion, then the whole evaluation (libspf2 over a replay snapshot) when it is valid.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "auth/dns.hpp"
#include "auth/spf.hpp"
#include "detail/libspf2_dns.hpp"

namespace {
// The record as master-file TXT strings (RFC 1035 §5.1 escapes, 255-byte strings).
std::string txt(const std::string& r) {
    std::string out;
    for (std::size_t i = 0; i < r.size() || i == 0; i += 255) {
        out += " \"";
        for (unsigned char c : r.substr(i, 255)) {
            if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
            else if (c < 0x20 || c > 0x7e) { char b[8]; std::snprintf(b, sizeof b, "\\%03u", c); out += b; }
            else out += static_cast<char>(c);
        }
        out += "\"";
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 3000) return 0;
    std::string record(reinterpret_cast<const char*>(data), size);
    std::string bad = auth::detail::spf_record_syntax_error(record);
    auth::detail::MacroContext ctx;
    ctx.sender = "strong-bad@email.example.com";
    ctx.local = "strong-bad";
    ctx.sender_domain = ctx.domain = "email.example.com";
    ctx.ip = "192.0.2.3";
    ctx.helo = "mx.example.net";
    auto e = auth::detail::spf_expand(record, ctx, true, false);
    auto d = auth::detail::spf_expand(record, ctx, false, true);
    (void)e; (void)d;
    if (!bad.empty()) return 0;
    (void)auth::detail::spf_record_for_libspf2(record, false, &ctx);
    std::string zone = "email.example.com. IN TXT" + txt(record) + "\n"
                       "email.example.com. IN A 192.0.2.3\n"
                       "email.example.com. IN MX 10 mx.example.net.\n"
                       "mx.example.net. IN A 192.0.2.4\n"
                       "inc.example.com. IN TXT \"v=spf1 include:email.example.com ?all\"\n"
                       "3.2.0.192.in-addr.arpa. IN PTR mx.example.net.\n";
    try {
        auto dns = auth::make_replay_resolver_from_text(zone, "fuzz");
        auth::SpfLimits lim;
        lim.time_budget = 5;
        (void)auth::spf_check(auth::SpfRequest{"192.0.2.3", "mx.example.net", "strong-bad@email.example.com"}, *dns, lim);
        (void)auth::spf_check(auth::SpfRequest{"2001:db8::3", "mx.example.net", "x@inc.example.com"}, *dns, lim);
    } catch (const std::exception&) {
    }
    return 0;
}
