// DKIM replay (RFC 6376 §8, security considerations): the heuristics that together say a signed message was kept and
// re-sent by someone else (few signed headers, recipients unsigned, an old or expired signature,
// a foreign relay after signing), as one rule of `authscope explain`.
#include <set>

#include "auth/address.hpp"
#include "auth/psl.hpp"
#include "explain_ctx.hpp"

namespace auth {
namespace explain_detail {
namespace {

// The DKIM signature DMARC relies on (aligned and verified), else the first verified one.
const SignatureFacts* main_signature(const Ctx& c) {
    for (const auto& s : c.auth.signatures)
        if (s.verified && s.aligned) return &s;
    for (const auto& s : c.auth.signatures)
        if (s.verified) return &s;
    return nullptr;
}

bool signed_header(const SignatureFacts& s, const char* name) {
    for (const auto& h : s.h)
        if (iequals(h, name)) return true;
    return false;
}

std::optional<Finding> replay_few_headers(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s || s->h.empty()) return std::nullopt;
    std::set<std::string> distinct;
    for (const auto& h : s->h) distinct.insert(to_lower(h));
    std::vector<std::string> missing;
    for (const char* h : {"subject", "date", "message-id"})
        if (!distinct.count(h)) missing.push_back(h);
    if (missing.empty() && distinct.size() >= 4) return std::nullopt;
    return Finding{"dkim-few-signed-headers", Severity::medium,
                   "The DKIM signature of " + s->d + " covers few header fields" +
                       (missing.empty() ? "" : " (not " + join(missing, ", ") + ")") +
                       ": the unsigned ones can be changed or added by anyone who re-sends the message.",
                   {"DKIM-Signature d=" + s->d + " s=" + s->s + " h=" + join(s->h, ":")}};
}

std::optional<Finding> replay_recipients(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s || s->h.empty()) return std::nullopt;
    if (signed_header(*s, "to") || signed_header(*s, "cc")) return std::nullopt;
    return Finding{"dkim-recipients-unsigned", Severity::low,
                   "The DKIM signature of " + s->d + " does not cover To or Cc: the same signed message can be re-sent to anyone and still verify.",
                   {"DKIM-Signature d=" + s->d + " s=" + s->s + " h=" + join(s->h, ":")}};
}

std::optional<Finding> replay_old(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s || !s->t || !c.arrival) return std::nullopt;
    if (std::uint64_t(*c.arrival) <= *s->t || std::uint64_t(*c.arrival) - *s->t < c.opts.old_signature_seconds) return std::nullopt;
    std::uint64_t age = std::uint64_t(*c.arrival) - *s->t;
    return Finding{"dkim-signature-old", Severity::medium,
                   "The DKIM signature of " + s->d + " was made " + duration(age) +
                       " before the message arrived: a signed message kept and sent again later looks like this.",
                   {"DKIM-Signature t=" + std::to_string(*s->t) + " (" + fmt_time(std::time_t(*s->t)) + ")",
                    "arrival (top Received): " + fmt_time(*c.arrival)}};
}

std::optional<Finding> replay_expired(const Ctx& c) {
    for (const auto& s : c.auth.signatures) {
        if (!s.x) continue;
        std::optional<std::time_t> when = c.arrival;
        if (!when) continue;
        if (std::uint64_t(*when) <= *s.x) continue;
        return Finding{"dkim-signature-expired", Severity::medium,
                       "The DKIM signature of " + s.d + " had expired (x=) when the message arrived: it was delivered after its signer said it should be.",
                       {"DKIM-Signature d=" + s.d + " x=" + std::to_string(*s.x) + " (" + fmt_time(std::time_t(*s.x)) + ")",
                        "arrival (top Received): " + fmt_time(*when)}};
    }
    return std::nullopt;
}

// Hosts in the Received chain that are neither the signer's, the brand's, a platform's nor
// the receiver's: the path a replayed message takes.
std::vector<std::string> foreign_hops(const Ctx& c, const SignatureFacts& s) {
    std::vector<std::string> r;
    if (c.hops.size() < 2) return r;
    auto psl = PublicSuffixList::system();
    auto reg = [&](const std::string& h) -> std::string {
        if (h.empty() || normalize_ip(h) == h) return {};
        auto d = psl->registrable_domain(to_lower(h));
        return d ? *d : std::string();
    };
    // The receiver: the `by` of the top hop; its registrable domain is trusted.
    std::string receiver = reg(c.hops.front().by);
    for (std::size_t k = 0; k < c.hops.size(); ++k) {
        const auto& h = c.hops[k];
        for (const std::string& host : {h.from_rdns, h.from_helo, h.by}) {
            std::string d = reg(host);
            if (d.empty() || d == receiver) continue;
            if (domain_within(d, s.d) || domain_within(s.d, d)) continue;
            if (c.profile().expected_link(d) || c.brands.platform_by_domain(d)) continue;
            if (!c.auth.org_domain.empty() && domain_within(d, c.auth.org_domain)) continue;
            r.push_back("Received hop " + std::to_string(h.hop) + ": " + clip(h.value, 160));
            break;
        }
    }
    return r;
}

std::optional<Finding> replay_hops(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s) return std::nullopt;
    auto ev = foreign_hops(c, *s);
    if (ev.empty()) return std::nullopt;
    return Finding{"dkim-foreign-relay", Severity::medium,
                   "After " + s->d + " signed it, the message passed through hosts that belong neither to " + s->d +
                       " nor to the receiver" + (c.auth.spf == Result::pass ? "" : ", and SPF did not pass") +
                       ": a signed message re-sent from elsewhere looks like this.",
                   ev};
}

}  // namespace

void rule_dkim_replay(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::optional<Finding>> signs = {replay_few_headers(c), replay_recipients(c), replay_old(c),
                                                 replay_expired(c), replay_hops(c)};
    int count = 0, strong = 0;
    std::vector<std::string> ev;
    for (auto& f : signs) {
        if (!f) continue;
        ++count;
        if (f->id == "dkim-signature-old" || f->id == "dkim-signature-expired" || f->id == "dkim-foreign-relay") ++strong;
        ev.push_back(f->id + ": " + (f->evidence.empty() ? f->summary : f->evidence.front()));
        out.push_back(*f);
    }
    // A recipient the signed message was not addressed to.
    const SignatureFacts* s = main_signature(c);
    if (s && !signed_header(*s, "to")) {
        std::string envelope;
        for (const auto& h : c.hops)
            if (!h.for_addr.empty()) { envelope = to_lower(h.for_addr); break; }
        while (!envelope.empty() && (envelope.front() == '<')) envelope.erase(0, 1);
        while (!envelope.empty() && (envelope.back() == '>' || envelope.back() == ';')) envelope.pop_back();
        const HeaderField* to = c.msg.first("To");
        if (!envelope.empty() && to && to_lower(to->value).find(envelope) == std::string::npos) {
            ++count;
            ++strong;
            ev.push_back("delivered for " + defang(envelope) + " but To: says " + clip(defang_text(to->value), 100));
        }
    }
    if (count >= 2 && strong >= 1)
        add_finding(out, "dkim-replay-suspected", Severity::high,
                    "Several signs together say this signed message was replayed: signed once by " +
                        (s ? s->d : std::string("its signer")) + ", then re-sent by someone else to new recipients.",
                    ev);
}

}  // namespace explain_detail
}  // namespace auth
