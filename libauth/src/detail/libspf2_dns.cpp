// libspf2 adapter onto auth::Resolver, with the RFC 7208 rules libspf2 1.2.10 lacks.
#include "detail/libspf2_dns.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
}

#include "auth/message.hpp"
#include "detail/text.hpp"

namespace auth::detail {
namespace {

// libspf2 prints warnings and debug lines to stderr by default: keep them out of our output.
void quiet(const char*, int, const char*) {}

void init_libspf2_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        SPF_warning_handler = quiet;
        SPF_info_handler = quiet;
        SPF_debug_handler = quiet;
    });
}

SpfDnsState& state_of(SPF_dns_server_t* s) { return *static_cast<SpfDnsState*>(s->hook); }


bool over_budget(SpfDnsState& st) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - st.start).count();
    if (secs > st.limits.time_budget) {
        if (st.abort == SpfAbort::none) {
            st.abort = SpfAbort::time_budget;
            st.abort_detail = "the evaluation took longer than its time budget of " +
                              std::to_string(static_cast<int>(st.limits.time_budget)) + " seconds";
        }
        return true;
    }
    return false;
}

SPF_dns_rr_t* make_rr(SPF_dns_server_t* s, const char* domain, ns_type t, SPF_dns_stat_t herrno) {
    return SPF_dns_rr_new_init(s, domain, t, 0, herrno);
}

// Counts one DNS-querying term (RFC 7208 §4.6.4); false when the limit is passed.
bool count_term(SpfDnsState& st, const std::string& what) {
    st.terms++;
    if (st.terms > st.limits.max_dns_terms) {
        if (st.abort == SpfAbort::none) {
            st.abort = SpfAbort::too_many_terms;
            st.abort_detail = "more than " + std::to_string(st.limits.max_dns_terms) +
                              " DNS-querying terms (the " + std::to_string(st.terms) + "th was " + what + ")";
        }
        return false;
    }
    return true;
}

// Counts a void lookup (RFC 7208 §4.6.4); false when the limit is passed.
bool count_void(SpfDnsState& st, const std::string& name) {
    st.voids++;
    if (st.voids > st.limits.max_void_lookups) {
        if (st.abort == SpfAbort::none) {
            st.abort = SpfAbort::too_many_voids;
            st.abort_detail = std::to_string(st.voids) + " lookups that returned no records (the last for " + name + ")";
        }
        return false;
    }
    return true;
}

void note_temp(SpfDnsState& st, const DnsAnswer& a) {
    if (st.temp_detail.empty())
        st.temp_detail = "the DNS query for " + a.qname + " " + to_string(a.qtype) + " failed (" +
                         to_string(a.status) + (a.detail.empty() ? "" : ": " + a.detail) + ")";
}

// A name a DNS query can carry: labels of 1..63 octets, at most 253 in all.
bool valid_name(const std::string& s) {
    if (s.empty() || s.size() > 253) return false;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = s.find('.', start);
        std::size_t len = (dot == std::string::npos ? s.size() : dot) - start;
        if (len == 0 || len > 63) return false;
        if (dot == std::string::npos) return true;
        start = dot + 1;
    }
}

// The SPF_dns_get_exp_t callback: never used for a result (exp= is removed before libspf2 sees
// a record, see spf_explanation), so no DNS query is spent on it.
SPF_errcode_t adapter_get_exp(SPF_server_t*, const char*, char** bufp, size_t* buflenp) {
    if (!*bufp || *buflenp < 1) return SPF_E_NO_MEMORY;
    (*bufp)[0] = '\0';
    return SPF_E_SUCCESS;
}

// The SPF_dns_lookup_t callback: A, AAAA, MX, PTR and TXT (the exp= lookup) from auth::Resolver.
SPF_dns_rr_t* adapter_lookup(SPF_dns_server_t* s, const char* domain, ns_type type, int should_cache) {
    SpfDnsState& st = state_of(s);
    const std::string name = domain ? domain : "";
    if (st.abort != SpfAbort::none || over_budget(st)) return make_rr(s, domain, type, TRY_AGAIN);

    RRType rt;
    switch (type) {
        case ns_t_a: rt = RRType::A; break;
        case ns_t_aaaa: rt = RRType::AAAA; break;
        case ns_t_mx: rt = RRType::MX; break;
        case ns_t_ptr: rt = RRType::PTR; break;
        case ns_t_txt: rt = RRType::TXT; break;
        default: return make_rr(s, domain, type, NO_DATA);  // type 99 is never asked (RFC 7208 §3.1)
    }

    // Which queries are terms: MX, PTR for the ptr mechanism, and A/AAAA unless they validate
    // names an MX or PTR answer gave. TXT here is only exp= (records come through get_spf).
    bool term = false;
    std::string lname = strip_dot(to_lower(name));
    bool cidr0 = false;  // an "a/0" or "mx/0" rewritten by spf_record_for_libspf2
    const std::size_t sl = std::strlen(kCidr0Suffix);
    if (lname.size() > sl && lname.compare(lname.size() - sl, sl, kCidr0Suffix) == 0) {
        cidr0 = true;
        lname.resize(lname.size() - sl);
    }
    bool cidr0_followup = false;
    if (rt == RRType::MX || (rt == RRType::PTR && should_cache)) {
        term = true;
        st.followups.clear();
    } else if (rt == RRType::A || rt == RRType::AAAA) {
        auto it = st.followups.find(lname);
        if (it != st.followups.end()) {
            st.followups.erase(it);
            cidr0_followup = st.cidr0_followups.count(lname) > 0;
        } else {
            term = true;
        }
    }
    if (rt == RRType::MX || rt == RRType::PTR) st.cidr0_followups.clear();
    if (term) {
        std::string what = "the " + to_string(rt) + " lookup of " + lname;
        if (!count_term(st, what)) return make_rr(s, domain, type, TRY_AGAIN);
    }

    DnsAnswer a;
    if (!valid_name(lname)) {
        // RFC 7208 §4.3, §7.3: a name no DNS query can carry matches nothing.
        a.qname = lname; a.qtype = rt; a.status = DnsStatus::nxdomain;
    } else {
        a = st.dns->query(lname, rt);
        st.answers.push_back(a);
        // A CNAME loop is a property of the data, not a passing failure: no records.
        if (a.status == DnsStatus::error && a.detail.find("CNAME") != std::string::npos) {
            a.status = DnsStatus::nodata;
            a.records.clear();
        }
    }
    if (over_budget(st)) return make_rr(s, domain, type, TRY_AGAIN);

    if (is_temporary(a.status)) {
        note_temp(st, a);
        return make_rr(s, domain, type, TRY_AGAIN);
    }
    std::vector<const DnsRecord*> recs;
    for (const auto& r : a.records)
        if (r.type == rt) recs.push_back(&r);
    if (a.status != DnsStatus::ok || recs.empty()) {
        if (term && !count_void(st, lname)) return make_rr(s, domain, type, TRY_AGAIN);
        return make_rr(s, domain, type, a.status == DnsStatus::nxdomain ? HOST_NOT_FOUND : NO_DATA);
    }
    // RFC 7208 §6.2: an explanation needs exactly one TXT record.
    if (rt == RRType::TXT && recs.size() != 1) return make_rr(s, domain, type, NO_DATA);

    SPF_dns_rr_t* rr = make_rr(s, domain, type, NETDB_SUCCESS);
    if (!rr) return nullptr;
    // RFC 7208 §5.4, §5.5: at most 10 PTR names are looked at; the rest are ignored (not an error).
    if (rt == RRType::PTR && recs.size() > static_cast<std::size_t>(st.limits.max_ptr_names))
        recs.resize(static_cast<std::size_t>(st.limits.max_ptr_names));
    if ((cidr0 || cidr0_followup) && (rt == RRType::A || rt == RRType::AAAA)) {
        // "/0": any address matches, so the client's own stands for the set.
        if (rt == (st.client_v6 ? RRType::AAAA : RRType::A)) {
            std::size_t sz = rt == RRType::A ? sizeof(in_addr) : sizeof(in6_addr);
            if (SPF_dns_rr_buf_realloc(rr, 0, sz) == SPF_E_SUCCESS &&
                inet_pton(st.client_v6 ? AF_INET6 : AF_INET, st.client_ip.c_str(), &rr->rr[0]->a) == 1)
                rr->num_rr = 1;
        }
        return rr;
    }
    int n = 0;
    for (const DnsRecord* r : recs) {
        if (n >= 1000) break;  // an oversized answer: the rest is not needed to decide
        if (rt == RRType::A || rt == RRType::AAAA) {
            std::size_t sz = rt == RRType::A ? sizeof(in_addr) : sizeof(in6_addr);
            if (SPF_dns_rr_buf_realloc(rr, n, sz) != SPF_E_SUCCESS) break;
            int ok = inet_pton(rt == RRType::A ? AF_INET : AF_INET6, r->target.c_str(),
                               rt == RRType::A ? static_cast<void*>(&rr->rr[n]->a)
                                               : static_cast<void*>(&rr->rr[n]->aaaa));
            if (ok != 1) continue;
        } else {
            std::string txt = rt == RRType::TXT ? r->text() : strip_dot(r->target);
            if (rt != RRType::TXT && txt.empty()) continue;
            if (SPF_dns_rr_buf_realloc(rr, n, txt.size() + 1) != SPF_E_SUCCESS) break;
            std::memcpy(rr->rr[n]->txt, txt.c_str(), txt.size() + 1);
            if (rt == RRType::MX || rt == RRType::PTR) st.followups.insert(to_lower(txt));
            if (rt == RRType::MX && cidr0) st.cidr0_followups.insert(to_lower(txt));
        }
        ++n;
    }
    rr->num_rr = n;
    return rr;
}

// RFC 7208 §4.3: a usable domain: labels of 1..63 octets, at most 253 in all, more than one label.
bool valid_domain(const std::string& d) {
    std::string s = strip_dot(d);
    if (s.empty() || s.size() > 253 || s.find('.') == std::string::npos) return false;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = s.find('.', start);
        std::size_t len = (dot == std::string::npos ? s.size() : dot) - start;
        if (len == 0 || len > 63) return false;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return true;
}

// The SPF_dns_get_spf_t callback: RFC 7208 §4.4-4.5 record lookup and selection (TXT only).
SPF_errcode_t adapter_get_spf(SPF_server_t* server, SPF_request_t* req, SPF_response_t* resp,
                              SPF_record_t** recordp) {
    SpfDnsState& st = state_of(server->resolver);
    *recordp = nullptr;
    const std::string domain = req->cur_dom ? req->cur_dom : "";
    st.followups.clear();
    if (st.top_record_done) {
        if (!count_term(st, "the record lookup of " + strip_dot(domain))) return SPF_E_DNS_ERROR;
    }
    st.top_record_done = true;
    if (st.abort != SpfAbort::none || over_budget(st)) return SPF_E_DNS_ERROR;

    if (!valid_domain(domain)) {
        resp->result = SPF_RESULT_NONE;
        return SPF_response_add_error(resp, SPF_E_NOT_SPF, "'%s' is not a valid domain name.", domain.c_str());
    }
    DnsAnswer a = st.dns->query(domain, RRType::TXT);
    st.answers.push_back(a);
    if (over_budget(st)) return SPF_E_DNS_ERROR;
    if (is_temporary(a.status)) {
        note_temp(st, a);
        return SPF_response_add_error(resp, SPF_E_DNS_ERROR, "Temporary DNS failure for '%s'.", domain.c_str());
    }
    std::vector<std::string> found;
    for (const auto& r : a.records) {
        if (r.type != RRType::TXT) continue;
        std::string t = r.text();
        if (t.size() >= 6 && iequals(std::string_view(t).substr(0, 6), "v=spf1") && (t.size() == 6 || t[6] == ' '))
            found.push_back(t);
    }
    if (found.empty()) {
        if (st.none_domain.empty()) st.none_domain = strip_dot(domain);
        resp->result = SPF_RESULT_NONE;
        return SPF_response_add_error(resp, SPF_E_NOT_SPF, "No SPF record for '%s'.", domain.c_str());
    }
    if (found.size() > 1) {
        resp->result = SPF_RESULT_PERMERROR;
        if (st.abort == SpfAbort::none) {
            st.abort = SpfAbort::too_many_records;
            st.abort_detail = std::to_string(found.size()) + " SPF records are published at " + strip_dot(domain);
        }
        return SPF_response_add_error(resp, SPF_E_MULTIPLE_RECORDS, "Multiple SPF records for '%s'.", domain.c_str());
    }
    st.records.emplace_back(strip_dot(to_lower(domain)), found[0]);
    std::string bad = found[0].size() > st.limits.max_record_bytes
                          ? "the record is longer than " + std::to_string(st.limits.max_record_bytes) + " bytes"
                          : spf_record_syntax_error(found[0]);
    if (!bad.empty()) {
        resp->result = SPF_RESULT_PERMERROR;
        if (st.abort == SpfAbort::none) {
            st.abort = SpfAbort::record_syntax;
            st.abort_detail = "the SPF record of " + strip_dot(domain) + " is invalid: " + bad;
        }
        return SPF_response_add_error(resp, SPF_E_SYNTAX, "Invalid SPF record for '%s'.", domain.c_str());
    }
    MacroContext ctx = st.macro;
    ctx.domain = strip_dot(domain);
    const std::string for_libspf2 = spf_record_for_libspf2(found[0], st.client_v6, &ctx);
    SPF_errcode_t err = SPF_record_compile(server, resp, recordp, for_libspf2.c_str());
    if (err != SPF_E_SUCCESS) {
        if (*recordp) { SPF_record_free(*recordp); *recordp = nullptr; }
        resp->result = SPF_RESULT_PERMERROR;
        if (st.abort == SpfAbort::none) {
            st.abort = SpfAbort::record_syntax;
            st.abort_detail = "the SPF record of " + strip_dot(domain) + " is invalid: " + SPF_strerror(err);
        }
        return SPF_response_add_error(resp, err, "Failed to compile SPF record for '%s'.", domain.c_str());
    }
    return SPF_E_SUCCESS;
}

Result map_result(SPF_result_t r) {
    switch (r) {
        case SPF_RESULT_NEUTRAL: return Result::neutral;
        case SPF_RESULT_PASS: return Result::pass;
        case SPF_RESULT_FAIL: return Result::fail;
        case SPF_RESULT_SOFTFAIL: return Result::softfail;
        case SPF_RESULT_NONE: return Result::none;
        case SPF_RESULT_TEMPERROR: return Result::temperror;
        case SPF_RESULT_PERMERROR: return Result::permerror;
        default: return Result::permerror;
    }
}

const char kNoExplanation[] = "authscope-no-explanation";

struct ServerDeleter { void operator()(SPF_server_t* p) const { if (p) SPF_server_free(p); } };
struct RequestDeleter { void operator()(SPF_request_t* p) const { if (p) SPF_request_free(p); } };
struct ResponseDeleter { void operator()(SPF_response_t* p) const { if (p) SPF_response_free(p); } };

}  // namespace

SpfCheck libspf2_check_host(const std::string& ip, const std::string& domain, const std::string& sender,
                            const std::string& helo, SpfDnsState& st) {
    init_libspf2_once();
    SpfCheck out;
    out.domain = strip_dot(to_lower(domain));
    out.sender = sender;
    st.start = std::chrono::steady_clock::now();
    st.client_ip = ip;
    st.client_v6 = ip.find(':') != std::string::npos;

    SPF_dns_server_t dns_layer{};
    dns_layer.destroy = nullptr;  // ours: libspf2 must not free it
    dns_layer.lookup = adapter_lookup;
    dns_layer.get_spf = adapter_get_spf;
    dns_layer.get_exp = adapter_get_exp;
    dns_layer.add_cache = nullptr;
    dns_layer.layer_below = nullptr;
    dns_layer.name = "authscope";
    dns_layer.debug = 0;
    dns_layer.hook = &st;

    std::unique_ptr<SPF_server_t, ServerDeleter> server(SPF_server_new_dns(&dns_layer, 0));
    if (!server) {
        out.result = Result::temperror;
        out.reason = {"out-of-memory", "libspf2 could not allocate its server."};
        return out;
    }
    SPF_response_t* tmp = nullptr;
    SPF_server_set_explanation(server.get(), kNoExplanation, &tmp);
    if (tmp) SPF_response_free(tmp);
    SPF_server_set_max_dns_mech(server.get(), st.limits.max_dns_terms + 1);
    SPF_server_set_max_dns_mx(server.get(), st.limits.max_mx_names);
    SPF_server_set_max_dns_ptr(server.get(), st.limits.max_ptr_names);

    std::unique_ptr<SPF_request_t, RequestDeleter> req(SPF_request_new(server.get()));
    SPF_errcode_t e = ip.find(':') != std::string::npos ? SPF_request_set_ipv6_str(req.get(), ip.c_str())
                                                        : SPF_request_set_ipv4_str(req.get(), ip.c_str());
    if (e != SPF_E_SUCCESS) {
        out.result = Result::none;
        out.reason = {"bad-ip", "The client address '" + ip + "' is not an IPv4 or IPv6 address."};
        return out;
    }
    if (!helo.empty()) SPF_request_set_helo_dom(req.get(), helo.c_str());
    SPF_request_set_env_from(req.get(), sender.c_str());
    req->use_helo = 0;
    // libspf2 keeps a pointer: the string must outlive the evaluation.
    std::string cur = domain;
    req->cur_dom = cur.c_str();

    std::unique_ptr<SPF_response_t, ResponseDeleter> resp(SPF_response_new(req.get()));
    SPF_record_t* record = nullptr;
    // Bypasses SPF_request_query_mailfrom, which passes loopback clients without a check.
    SPF_errcode_t err = SPF_server_get_record(server.get(), req.get(), resp.get(), &record);
    if (err == SPF_E_SUCCESS && record) {
        resp->spf_record_exp = record;
        SPF_record_interpret(record, req.get(), resp.get(), 0);
        SPF_record_free(record);
        resp->spf_record_exp = nullptr;
        out.result = map_result(resp->result);
    } else if (err == SPF_E_DNS_ERROR) {
        out.result = Result::temperror;
    } else if (resp->result == SPF_RESULT_PERMERROR) {
        out.result = Result::permerror;
    } else {
        out.result = Result::none;
    }

    if (st.abort == SpfAbort::time_budget) out.result = Result::temperror;
    else if (st.abort != SpfAbort::none) out.result = Result::permerror;

    out.lookups = std::min(st.terms, st.limits.max_dns_terms + 1);
    out.void_lookups = st.voids;
    out.dns = st.answers;
    if (!st.records.empty() && st.records.front().first == out.domain) out.record = st.records.front().second;

    // The reason: ours when this layer stopped the evaluation, else from the result.
    switch (st.abort) {
        case SpfAbort::too_many_terms: out.reason = {"too-many-dns-lookups", "The policy needs " + st.abort_detail + "; RFC 7208 §4.6.4 allows at most " + std::to_string(st.limits.max_dns_terms) + "."}; break;
        case SpfAbort::too_many_voids: out.reason = {"too-many-void-lookups", "The policy made " + st.abort_detail + "; RFC 7208 §4.6.4 allows at most " + std::to_string(st.limits.max_void_lookups) + "."}; break;
        case SpfAbort::time_budget: out.reason = {"time-budget", "The evaluation was stopped: " + st.abort_detail + "."}; break;
        case SpfAbort::record_syntax: out.reason = {"record-syntax", "The policy cannot be used: " + st.abort_detail + "."}; break;
        case SpfAbort::too_many_records: out.reason = {"multiple-records", "The policy cannot be used: " + st.abort_detail + " (RFC 7208 §4.5 wants exactly one)."}; break;
        case SpfAbort::none: break;
    }
    if (out.reason.code.empty()) {
        switch (out.result) {
            case Result::none:
                out.reason = {"no-spf-record", out.domain + " publishes no SPF record."};
                break;
            case Result::temperror:
                out.reason = {"dns-temporary-failure", "A DNS query could not be answered: " +
                                  (st.temp_detail.empty() ? std::string("a temporary failure") : st.temp_detail) + "."};
                break;
            case Result::permerror: {
                std::string why = resp->err != SPF_E_SUCCESS ? SPF_strerror(resp->err) : SPF_strerror(err);
                std::string code = "policy-error";
                if (resp->err == SPF_E_INCLUDE_RETURNED_NONE || resp->err == SPF_E_NOT_SPF) {
                    code = "include-without-record";
                    why = "it includes " + (st.none_domain.empty() ? std::string("a domain") : st.none_domain) +
                          ", which publishes no SPF record (RFC 7208 §5.2)";
                }
                else if (resp->err == SPF_E_BIG_DNS) code = "too-many-dns-lookups";
                else if (resp->err == SPF_E_RECURSIVE) code = "include-loop";
                out.reason = {code, "The policy of " + out.domain + " cannot be evaluated: " + why + "."};
                break;
            }
            case Result::pass:
                out.reason = {"authorized", "The policy of " + out.domain + " authorizes " + ip + "."};
                break;
            case Result::fail:
                out.reason = {"not-authorized", "The policy of " + out.domain + " says " + ip + " is not authorized to send for it."};
                break;
            case Result::softfail:
                out.reason = {"probably-not-authorized", "The policy of " + out.domain + " says " + ip + " is probably not authorized (softfail)."};
                break;
            case Result::neutral:
                out.reason = resp->reason == SPF_REASON_DEFAULT
                                 ? Reason{"no-match", "No term of the policy of " + out.domain + " matched " + ip + "; the default is neutral."}
                                 : Reason{"neutral", "The policy of " + out.domain + " makes no assertion about " + ip + "."};
                break;
            default:
                out.reason = {"policy-error", "Unexpected result."};
        }
    }
    return out;
}

}  // namespace auth::detail
