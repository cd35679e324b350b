// libFuzzer target: finding a receiver's results in a hostile header (Received chain, Authentication-
// Results with or without authserv-id, Received-SPF) and summarising them must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/authenticate.hpp"
#include "auth/error.hpp"
#include "auth/receivers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 65536) return 0;
    try {
        auth::Message m = auth::Message::parse(std::string(reinterpret_cast<const char*>(data), size));
        auth::ReceiverResults r = auth::final_receiver_results(m);
        auth::ReceiverResults n = auth::named_receiver_results(m, "protection.outlook.com");
        auto dns = auth::make_replay_resolver_from_text("$TTL 300\n");
        auth::AuthOptions o;
        o.dmarc.check_nonexistent = false;
        for (const auto* rr : {&r, &n}) {
            std::vector<auth::ArClause> clauses;
            for (const auto& ar : rr->results) clauses.insert(clauses.end(), ar.results.begin(), ar.results.end());
            auth::AuthSummary a = auth::summary_from_results(m, clauses, "authentication-results:" + rr->host, *dns, o);
            (void)auth::authentication_clauses(a);
        }
    } catch (const auth::InputError&) {
        // a malformed message is an input error, not a crash
    }
    return 0;
}
