// The one authentication pipeline (auth/authenticate.hpp): SPF, DKIM and DMARC checked, or a
// trusted receiver's recorded results (RFC 8601 §5), and the Authentication-Results clauses.
#include "auth/authenticate.hpp"

#include <algorithm>

#include "auth/arc.hpp"
#include "auth/error.hpp"
#include "auth/mime.hpp"
#include "auth/psl.hpp"

namespace auth {
namespace {

std::string r2s(Result r) { return std::string(to_string(r)); }

std::string after_at(const std::string& s) {
    auto at = s.rfind('@');
    return at == std::string::npos ? s : s.substr(at + 1);
}

std::optional<std::time_t> arrival_of(const Message& msg) {
    auto chain = received_chain(msg);
    if (chain.empty()) return std::nullopt;
    return parse_mail_date(chain.front().date);
}

// "p=REJECT sp=NONE dis=NONE" in a dmarc= comment (Gmail, Proton, Microsoft's ARC results).
std::string policy_in_comment(const std::string& comment) {
    std::string c = to_lower(comment);
    for (std::size_t p = c.find("p="); p != std::string::npos; p = c.find("p=", p + 2)) {
        if (p > 0 && std::isalnum(static_cast<unsigned char>(c[p - 1]))) continue;
        std::size_t e = p + 2;
        while (e < c.size() && std::isalpha(static_cast<unsigned char>(c[e]))) ++e;
        std::string w = c.substr(p + 2, e - p - 2);
        if (w == "none" || w == "quarantine" || w == "reject") return w;
    }
    return {};
}

bool psl_aligned(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return false;
    std::string x = to_lower(a), y = to_lower(b);
    if (x == y) return true;
    auto psl = PublicSuffixList::system();
    return organizational_domain_psl(x, *psl) == organizational_domain_psl(y, *psl);
}

// Fills the DMARC part of `a` from an evaluation.
void take_dmarc(AuthSummary& a, const DmarcReport& dm) {
    a.dmarc = dm.result;
    a.dmarc_reason = dm.reason;
    a.from_domain = dm.from_domain;
    a.org_domain = dm.org_domain;
    a.policy_domain = dm.policy_domain;
    a.policy = dm.applied_policy ? to_string(*dm.applied_policy) : "";
    a.spf_aligned = dm.spf && dm.spf->aligned && dm.spf->result == Result::pass;
    for (auto& f : a.signatures) {
        f.aligned = false;
        for (const auto& k : dm.dkim)
            if (iequals(k.d, f.d) && (k.selector == f.s || k.selector.empty())) f.aligned = k.aligned;
    }
    a.dmarc_report = dm;
}

std::string dkim_now_text(const SignatureFacts& s) {
    std::string t = r2s(s.result) + (s.reason_text.empty() ? "" : " (" + s.reason_text + ")");
    if (s.reason == "key-not-found") t += " - rotated since arrival?";
    if (s.reason == "body-hash-mismatch") t += " - the body changed after arrival?";
    return t;
}

// Where the receiver's facts and authscope's own check differ, one sentence each.
std::vector<std::string> compare(const AuthSummary& rec, const AuthSummary& now) {
    std::vector<std::string> out;
    if (rec.spf != Result::none && now.spf_identity.empty())
        out.push_back("receiver: spf=" + r2s(rec.spf) + " for " + rec.spf_domain + "; now: not evaluated (no envelope from the headers)");
    else if (rec.spf != Result::none && rec.spf != now.spf)
        out.push_back("receiver: spf=" + r2s(rec.spf) + " for " + rec.spf_domain + "; now: spf=" + r2s(now.spf) + " for " +
                      now.spf_domain + (now.spf_check ? " (" + now.spf_check->reason.text + ")" : "") +
                      " - the SPF record or the envelope read from the headers differs");
    for (const auto& s : rec.signatures) {
        const SignatureFacts* n = nullptr;
        for (const auto& t : now.signatures)
            if (iequals(t.d, s.d) && (s.s.empty() || t.s == s.s)) { n = &t; break; }
        std::string who = "dkim=" + r2s(s.result) + " for d=" + s.d + (s.s.empty() ? "" : " s=" + s.s);
        if (!n) out.push_back("receiver: " + who + "; now: no DKIM-Signature of d=" + s.d + " in the message");
        else if (n->result != s.result) out.push_back("receiver: " + who + "; now: " + dkim_now_text(*n));
    }
    if (rec.dmarc != now.dmarc)
        out.push_back("receiver: dmarc=" + r2s(rec.dmarc) + " for " + rec.from_domain + "; now: dmarc=" + r2s(now.dmarc) +
                      " (" + now.dmarc_reason.text + ")");
    return out;
}

}  // namespace

std::vector<ArClause> authentication_clauses(const AuthSummary& a) {
    std::vector<ArClause> cl;
    if (!a.spf_identity.empty() || a.spf != Result::none) {
        if (a.spf_identity == "helo") cl.push_back(spf_ar_clause(a.spf, "", "", a.spf_helo.empty() ? a.spf_domain : a.spf_helo));
        else cl.push_back(spf_ar_clause(a.spf, "", a.spf_domain, ""));
    }
    for (const auto& s : a.signatures) {
        ArClause c{"dkim", r2s(s.result), "", s.reason, {}};
        if (!s.d.empty()) c.properties.emplace_back("header.d", s.d);
        if (!s.s.empty()) c.properties.emplace_back("header.s", s.s);
        cl.push_back(c);
    }
    if (a.dmarc_report) {
        cl.push_back(dmarc_ar_clause(*a.dmarc_report));
    } else if (!a.from_domain.empty()) {
        ArClause c{"dmarc", r2s(a.dmarc), "", a.dmarc == Result::pass ? "" : a.dmarc_reason.text, {{"header.from", a.from_domain}}};
        if (!a.policy.empty()) c.properties.emplace_back("policy.dmarc", a.policy);
        cl.push_back(c);
    }
    return cl;
}

AuthSummary check_authentication(const Message& msg, Resolver& dns, const AuthOptions& opts) {
    AuthSummary a;
    a.source = "checked";
    // SPF for the envelope the headers give (RFC 7208 §2.3/§2.4: MAIL FROM, or HELO for a null sender).
    a.envelope = derive_envelope(msg, opts.trusted_hosts);
    const Envelope& env = a.envelope;
    std::optional<DmarcSpfInput> spf_in;
    if (!env.ip.value.empty() && (env.have_mail_from || !env.helo.value.empty())) {
        SpfCheck c = spf_check({env.ip.value, env.helo.value, env.mail_from.value}, dns);
        std::string domain = !c.domain.empty() ? c.domain : after_at(c.sender);
        a.spf = c.result;
        a.spf_domain = domain;
        a.spf_identity = c.identity;
        a.spf_helo = env.helo.value;
        spf_in = DmarcSpfInput{domain, c.result, c.identity};
        if (c.result == Result::temperror) a.unchecked.push_back("SPF for " + domain + ": " + c.reason.text);
        a.spf_check = std::move(c);
    } else {
        a.notes.push_back("SPF not evaluated: the connecting IP or the MAIL FROM/HELO could not be derived from the headers "
                          "(use authscope spf with flags, or --trust-ar).");
    }
    // DKIM as of arrival (or the time asked), so that x= and t= are judged against when the message came in.
    DkimOptions dopts;
    std::optional<std::time_t> when = opts.dkim_time ? opts.dkim_time : arrival_of(msg);
    if (when) dopts.now = *when;
    DkimReport dk = verify_dkim(msg, dns, dopts);
    a.dkim = dk.verdict.result;
    std::vector<DmarcDkimInput> dk_in;
    for (const auto& s : dk.signatures) {
        SignatureFacts f;
        f.d = to_lower(s.d);
        f.s = s.s;
        f.result = s.verdict.result;
        f.reason = s.verdict.reason.code;
        f.reason_text = s.verdict.reason.text;
        f.verified = s.crypto_verified;
        for (const auto& h : s.h) f.h.push_back(to_lower(h));
        f.t = s.t;
        f.x = s.x;
        a.signatures.push_back(f);
        if (!s.d.empty()) dk_in.push_back({s.d, s.verdict.result, s.s});
        if (s.verdict.result == Result::temperror) a.unchecked.push_back("DKIM key for d=" + s.d + " s=" + s.s + ": " + s.verdict.reason.text);
    }
    a.dkim_report = std::move(dk);
    DmarcReport dm = evaluate_dmarc_message(msg, dk_in, spf_in, dns, opts.dmarc);
    take_dmarc(a, dm);
    if (dm.result == Result::temperror) a.unchecked.push_back("DMARC: " + dm.reason.text);
    return a;
}

// RFC 8601 §2.7.1 (dkim: header.d, header.i, header.s), §2.7.2 (spf: smtp.mailfrom, smtp.helo).
AuthSummary summary_from_results(const Message& msg, const std::vector<ArClause>& clauses, const std::string& source,
                                 Resolver& dns, const AuthOptions& opts) {
    AuthSummary a;
    a.source = source;
    std::string host = source.substr(source.find(':') == std::string::npos ? source.size() : source.find(':') + 1);
    std::string who = host.empty() ? std::string("the receiver") : host;
    std::vector<DmarcDkimInput> dk;
    std::optional<DmarcSpfInput> spf;
    const ArClause* dmarc = nullptr;
    for (const auto& c : clauses) {
        auto res = result_from_string(c.result);
        if (c.method == "dkim") {
            std::string d = to_lower(ar_property(c, "header.d"));
            if (d.empty()) d = to_lower(after_at(ar_property(c, "header.i")));
            if (d.empty() || d == "none") continue;  // Exchange Online writes header.d=none for unsigned mail
            if (!res) a.notes.push_back("dkim=" + c.result + " is not an RFC 8601 result; taken as none.");
            dk.push_back({d, res.value_or(Result::none), ar_property(c, "header.s")});
        } else if (c.method == "spf") {
            if (spf) continue;  // the first spf= is the receiver's MAIL FROM (or HELO) check
            DmarcSpfInput s;
            std::string mf = ar_property(c, "smtp.mailfrom");
            if (mf.empty()) mf = ar_property(c, "smtp.mfrom");
            if (!mf.empty()) {
                s.domain = to_lower(after_at(mf));
                s.identity = "mailfrom";
            } else {
                s.domain = to_lower(ar_property(c, "smtp.helo"));
                s.identity = "helo";
                a.spf_helo = s.domain;
            }
            s.result = res.value_or(Result::none);
            if (!s.domain.empty()) spf = s;
        } else if (c.method == "dmarc") {
            if (!dmarc) dmarc = &c;
            std::string action = ar_property(c, "action");
            if (!action.empty()) a.receiver_notes.push_back({"action", action, dmarc_action_meaning(action)});
        } else if (c.method == "compauth") {
            std::string reason = ar_property(c, "reason");
            a.receiver_notes.push_back({"compauth", c.result + (reason.empty() ? "" : " reason=" + reason), compauth_meaning(c.result, reason)});
        } else {
            std::string v = c.result;
            if (!c.comment.empty()) v += " (" + c.comment + ")";
            for (const auto& [k, val] : c.properties) v += " " + k + "=" + val;
            a.receiver_notes.push_back({c.method, v, ""});
        }
    }
    // SPF and DKIM as recorded.
    if (spf) {
        a.spf = spf->result;
        a.spf_domain = spf->domain;
        a.spf_identity = spf->identity;
    }
    std::vector<DkimSignature> sigs;
    for (const auto* f : msg.all("DKIM-Signature")) sigs.push_back(parse_dkim_signature(f->value).sig);
    for (const auto& k : dk) {
        SignatureFacts f;
        f.d = k.d;
        f.s = k.selector;
        f.result = k.result;
        f.reason = "receiver";
        f.reason_text = who + " recorded dkim=" + r2s(k.result);
        f.verified = k.result == Result::pass;
        // Tags of the signature itself (h=, t=, x=), matched by d= and s=.
        for (const auto& s : sigs)
            if (iequals(s.d, k.d) && (k.selector.empty() || s.s == k.selector)) {
                for (const auto& h : s.h) f.h.push_back(to_lower(h));
                f.t = s.t;
                f.x = s.x;
                if (f.s.empty()) f.s = s.s;
                break;
            }
        if (k.result == Result::pass) a.dkim = Result::pass;
        else if (a.dkim == Result::none) a.dkim = k.result;
        a.signatures.push_back(f);
    }
    // DMARC: the receiver's own dmarc= when it recorded one, else evaluated over its SPF and DKIM.
    std::optional<Result> recorded;
    std::string word;
    if (dmarc) {
        word = to_lower(dmarc->result);
        if (word == "bestguesspass") {
            // Exchange Online: no DMARC record, but a DMARC check would have passed.
            recorded = Result::none;
            a.receiver_notes.push_back({"dmarc", "bestguesspass", "the From domain publishes no DMARC record; had it published one, DMARC would have passed"});
        } else if (auto r = result_from_string(word)) {
            recorded = *r;
        } else {
            a.notes.push_back("dmarc=" + dmarc->result + " is not an RFC 8601 result; DMARC is evaluated instead.");
        }
    }
    bool evaluate = !recorded || opts.recheck;
    std::optional<DmarcReport> eval;
    if (evaluate) eval = evaluate_dmarc_message(msg, dk, spf, dns, opts.dmarc);
    if (!recorded) {
        take_dmarc(a, *eval);
        a.dmarc_origin = "evaluated";
        if (eval->result == Result::temperror) a.unchecked.push_back("DMARC: " + eval->reason.text);
        return a;
    }
    a.dmarc_origin = "receiver";
    if (eval && eval->result == *recorded) {
        take_dmarc(a, *eval);  // today's DNS agrees: its evaluation says why
        return a;
    }
    FromDomains fd = from_domains(msg);
    std::string from = to_lower(ar_property(*dmarc, "header.from"));
    if (from.empty() && !fd.domains.empty()) from = fd.domains.front();
    a.dmarc = *recorded;
    a.from_domain = from;
    a.org_domain = from.empty() ? "" : organizational_domain_psl(from, *PublicSuffixList::system());
    a.policy = policy_in_comment(dmarc->comment);
    if (a.policy.empty()) a.policy = to_lower(ar_property(*dmarc, "policy.dmarc"));
    a.dmarc_reason = {"receiver-dmarc", "The receiver " + who + " recorded dmarc=" + word + " for " +
                                            (from.empty() ? std::string("the From domain") : from) + "."};
    // Which identifiers align, shown without DNS: same organizational domain by the Public Suffix List.
    DmarcReport r;
    r.mode = opts.dmarc.mode;
    r.result = a.dmarc;
    r.reason = a.dmarc_reason;
    r.why = a.dmarc_reason.text;
    r.from_domain = from;
    r.from_domains = fd.domains;
    r.org_domain = a.org_domain;
    const std::string how = " (organizational domains by the Public Suffix List; the DMARC result is the receiver's)";
    if (spf) {
        bool al = psl_aligned(spf->domain, from);
        a.spf_aligned = a.spf == Result::pass && al;
        r.spf = DmarcSpfAligned{spf->domain, spf->result, spf->identity, al,
                                "SPF " + spf->domain + " " + r2s(spf->result) + ", " + (al ? "aligned" : "not aligned") + " with From " + from + how + "."};
    }
    for (auto& f : a.signatures) {
        f.aligned = psl_aligned(f.d, from);
        r.dkim.push_back({f.d, f.result, f.s, f.aligned,
                          "DKIM d=" + f.d + " " + r2s(f.result) + ", " + (f.aligned ? "aligned" : "not aligned") + " with From " + from + how + "."});
    }
    std::string action = to_lower(ar_property(*dmarc, "action"));
    if (action == "quarantine" || action == "reject") r.disposition = action;
    if (!action.empty()) r.disposition_note = "the receiver recorded action=" + action;
    if (!a.policy.empty()) {
        if (a.policy == "reject") r.applied_policy = DmarcPolicy::reject;
        else if (a.policy == "quarantine") r.applied_policy = DmarcPolicy::quarantine;
        else r.applied_policy = DmarcPolicy::none;
        r.applied_tag = "p";
    }
    a.dmarc_report = std::move(r);
    if (a.dmarc == Result::temperror) a.unchecked.push_back("DMARC: the receiver recorded a temporary error");
    return a;
}

namespace {

AuthSummary authenticate_direct(const Message& msg, Resolver& dns, const AuthOptions& opts) {
    if (opts.trust == TrustMode::none) return check_authentication(msg, dns, opts);
    bool automatic = opts.trust == TrustMode::automatic;
    ReceiverResults rr = automatic ? final_receiver_results(msg) : named_receiver_results(msg, opts.trust_id);
    if (!rr.found()) {
        if (!automatic)
            throw InputError("no Authentication-Results field of " + (opts.trust_id.empty() ? std::string("(no authserv-id)") : opts.trust_id) +
                             " (--trust-ar): nothing to trust");
        // auto: nothing to trust, so authscope checks; the notes say why.
        AuthSummary a = check_authentication(msg, dns, opts);
        a.notes.insert(a.notes.begin(), "--trust-ar auto: " + (rr.notes.empty() ? std::string("no receiver's results") : rr.notes.back()) +
                                            " authscope checked instead.");
        return a;
    }
    std::vector<ArClause> clauses;
    for (const auto& ar : rr.results) {
        clauses.insert(clauses.end(), ar.results.begin(), ar.results.end());
        if (!ar.ok()) rr.notes.push_back("Authentication-Results of " + (rr.host.empty() ? std::string("the receiver") : rr.host) +
                                         " partly unreadable: " + ar.error + ".");
    }
    bool have_spf = std::any_of(clauses.begin(), clauses.end(), [](const ArClause& c) { return c.method == "spf"; });
    if (!have_spf && rr.received_spf) {
        // RFC 7208 §9.1: the receiver's Received-SPF stands in for an spf= it did not write.
        const ReceivedSpf& s = *rr.received_spf;
        clauses.push_back(spf_ar_clause(s.result, "", s.envelope_from, s.envelope_from.empty() ? s.helo : ""));
    }
    AuthSummary a = summary_from_results(msg, clauses, "authentication-results:" + rr.host, dns, opts);
    a.notes.insert(a.notes.end(), rr.notes.begin(), rr.notes.end());
    a.receiver = std::move(rr);
    if (opts.recheck) {
        AuthOptions o = opts;
        o.trust = TrustMode::none;
        // The envelope from the hop where the trusted receiver took the message, not an internal one.
        if (o.trusted_hosts.empty() && a.receiver) o.trusted_hosts = receiver_domains(*a.receiver);
        auto now = std::make_shared<AuthSummary>(check_authentication(msg, dns, o));
        for (auto& d : compare(a, *now)) a.disagreements.push_back(std::move(d));
        a.checked = std::move(now);
    }
    return a;
}

// RFC 8617 §7.2: a receiver may let a sealer it trusts vouch for results that forwarding broke, but
// only over a chain that validates; the sealer's ARC-Authentication-Results are then its recorded results.
AuthSummary with_trusted_arc(const Message& msg, Resolver& dns, const AuthOptions& opts, AuthSummary a) {
    if (opts.trust_arc.empty() || a.dmarc == Result::pass) return a;
    ArcReport rep = verify_arc(msg, dns);
    if (rep.hops.empty()) {
        a.notes.push_back("--trust-arc: the message carries no ARC set.");
        return a;
    }
    for (const auto& sealer : opts.trust_arc) {
        auto hop = arc_results_for(rep, sealer);
        if (!hop) continue;
        const std::string where = "ARC-Authentication-Results i=" + std::to_string(hop->instance) + " sealed by " + hop->sealer;
        if (!hop->chain_pass) {
            a.notes.push_back("--trust-arc: " + where + " not used: the ARC chain does not validate (cv=" + rep.cv + ": " +
                              rep.verdict.reason.text + ").");
            return a;
        }
        AuthSummary b = summary_from_results(msg, hop->aar.results, "arc:" + hop->sealer, dns, opts);
        b.arc_instance = hop->instance;
        if (b.dmarc != Result::pass) {
            a.notes.push_back("--trust-arc: " + where + " recorded no DMARC pass (" + std::string(to_string(b.dmarc)) + "): not used.");
            continue;
        }
        b.notes.insert(b.notes.begin(), "Results from " + where + " (--trust-arc; the chain validates, cv=pass): the sealer's "
                                        "record of the message as it reached that hop, standing in for results lost in forwarding.");
        b.disagreements.push_back("before the ARC hop: dmarc=" + std::string(to_string(a.dmarc)) + " (" + a.source + "); " + where +
                                  ": dmarc=pass - changed in forwarding after that hop");
        b.checked = std::make_shared<AuthSummary>(std::move(a));
        return b;
    }
    if (std::none_of(opts.trust_arc.begin(), opts.trust_arc.end(),
                     [&](const std::string& s) { return arc_results_for(rep, s).has_value(); }))
        a.notes.push_back("--trust-arc: no ARC set of the message is sealed by a trusted sealer.");
    return a;
}

}  // namespace

AuthSummary authenticate(const Message& msg, Resolver& dns, const AuthOptions& opts) {
    return with_trusted_arc(msg, dns, opts, authenticate_direct(msg, dns, opts));
}

nlohmann::ordered_json trust_json(const AuthSummary& a) {
    using J = nlohmann::ordered_json;
    J j = J::object();
    if (a.arc_instance)
        j["arc"] = {{"sealer", a.source.substr(a.source.find(':') + 1)}, {"instance", a.arc_instance},
                    {"field", "ARC-Authentication-Results"}, {"chain", "pass"}};
    if (a.receiver) {
        const ReceiverResults& r = *a.receiver;
        J fields = J::array();
        for (const auto& f : r.fields)
            fields.push_back({{"name", f.name}, {"index", f.index}, {"position", f.position}, {"authserv_id", f.authserv_id}});
        J rj{{"name", r.receiver}, {"host", r.host}, {"rule", r.rule}, {"why", r.why}};
        rj["hop"] = r.hop ? J{{"index", r.hop}, {"by", r.hop_by}} : J(nullptr);
        rj["fields"] = fields;
        if (r.received_spf && r.received_spf_field)
            rj["received_spf"] = {{"name", r.received_spf_field->name}, {"index", r.received_spf_field->index},
                                  {"position", r.received_spf_field->position}, {"result", r2s(r.received_spf->result)}};
        j["receiver"] = rj;
        j["dmarc_origin"] = a.dmarc_origin;
    }
    if (!a.receiver_notes.empty()) {
        J n = J::array();
        for (const auto& x : a.receiver_notes) n.push_back({{"key", x.key}, {"value", x.value}, {"meaning", x.meaning}});
        j["receiver_notes"] = n;
    }
    if (a.checked) {
        const AuthSummary& c = *a.checked;
        J dk = J::array();
        for (const auto& s : c.signatures)
            dk.push_back({{"d", s.d}, {"s", s.s}, {"result", r2s(s.result)}, {"reason", s.reason}});
        j["checked"] = {{"dmarc", r2s(c.dmarc)}, {"dmarc_reason", c.dmarc_reason.code}, {"spf", r2s(c.spf)}, {"spf_domain", c.spf_domain}, {"dkim", dk}};
        j["disagreements"] = a.disagreements;
    }
    if (!a.notes.empty()) j["notes"] = a.notes;
    return j;
}

std::vector<std::string> trust_lines(const AuthSummary& a) {
    std::vector<std::string> out;
    if (a.receiver) {
        const ReceiverResults& r = *a.receiver;
        std::string f;
        for (const auto& x : r.fields)
            f += (f.empty() ? "" : ", ") + x.name + " #" + std::to_string(x.index) + " (header field " + std::to_string(x.position) + ")";
        out.push_back("Trusted: " + r.receiver + (r.host.empty() || r.host == r.receiver ? "" : " (" + r.host + ")") + ", " + f + ".");
        if (!r.why.empty()) out.push_back("Why: " + r.why);
        if (a.dmarc_origin == "evaluated") out.push_back("The receiver recorded no dmarc= result: DMARC was evaluated over its SPF and DKIM results.");
    }
    for (const auto& n : a.receiver_notes)
        out.push_back("The receiver recorded " + n.key + "=" + n.value + (n.meaning.empty() ? "" : ": " + n.meaning) +
                      (n.meaning.empty() || n.meaning.back() == '.' ? "" : "."));
    if (a.checked) {
        if (a.disagreements.empty()) out.push_back("authscope also checked, and agrees with the receiver.");
        for (const auto& d : a.disagreements) out.push_back("Differs: " + d + ".");
    }
    for (const auto& n : a.notes) out.push_back("Note: " + n);
    return out;
}

}  // namespace auth
