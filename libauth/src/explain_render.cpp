// The output forms of `authscope explain`: JSON (keys stable, added never renamed) and text
// (the verdict first, then why).
#include <set>
#include <sstream>

#include "auth/authres.hpp"
#include "explain_ctx.hpp"

namespace auth {
namespace {

using namespace explain_detail;
using Json = nlohmann::ordered_json;

std::string brand_phrase(const ExplainReport& r) {
    return r.brand ? r.brand->name : r.authenticated_domain.empty() ? std::string("the sender") : r.authenticated_domain;
}

}  // namespace

nlohmann::ordered_json explain_json(const ExplainReport& r) {
    Json j;
    j["result"] = std::string(to_string(r.auth.dmarc));
    j["reason"] = {{"code", r.reason.code}, {"text", r.reason.text}};
    j["verdict"] = r.verdict;
    j["authenticated_domain"] = r.authenticated_domain.empty() ? Json(nullptr) : Json(r.authenticated_domain);
    j["brand"] = r.brand ? Json{{"id", r.brand->id}, {"name", r.brand->name}, {"claimed_only", r.brand_claimed_only}} : Json(nullptr);
    Json a;
    a["source"] = r.auth.source;
    a["dmarc"] = {{"result", std::string(to_string(r.auth.dmarc))},
                  {"reason", {{"code", r.auth.dmarc_reason.code}, {"text", r.auth.dmarc_reason.text}}},
                  {"from_domain", r.auth.from_domain},
                  {"policy_domain", r.auth.policy_domain.empty() ? Json(nullptr) : Json(r.auth.policy_domain)},
                  {"policy", r.auth.policy.empty() ? Json(nullptr) : Json(r.auth.policy)}};
    a["spf"] = {{"result", std::string(to_string(r.auth.spf))}, {"domain", r.auth.spf_domain}, {"aligned", r.auth.spf_aligned}};
    Json sigs = Json::array();
    for (const auto& s : r.auth.signatures)
        sigs.push_back({{"d", s.d}, {"s", s.s}, {"result", std::string(to_string(s.result))}, {"reason", s.reason}, {"aligned", s.aligned}});
    a["dkim"] = sigs;
    a["unchecked"] = r.auth.unchecked;
    Json trust = trust_json(r.auth);  // whose results, and where authscope differs
    for (auto& [k, v] : trust.items()) a[k] = v;
    j["authentication"] = a;
    j["proves"] = r.proves;
    j["does_not_prove"] = r.does_not_prove;
    Json f = Json::array();
    std::set<std::string> ids;
    for (const auto& x : r.findings) {
        f.push_back({{"id", x.id}, {"severity", to_string(x.severity)}, {"summary", x.summary}, {"evidence", x.evidence}});
        ids.insert(x.id);
    }
    j["findings"] = f;
    j["finding_ids"] = std::vector<std::string>(ids.begin(), ids.end());
    // Indicators, defanged, unique, in order of appearance.
    Json ind;
    auto uniq = [&](const char* kind, bool defanged) {
        std::vector<std::string> v;
        for (const auto* i : r.indicators.of(kind)) {
            std::string s = defanged ? i->defanged : i->value;
            if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
        }
        return v;
    };
    ind["urls"] = uniq("url", true);
    std::vector<std::string> doms;
    for (const auto& d : r.indicators.domains()) doms.push_back(defang(d));
    ind["domains"] = doms;
    ind["emails"] = uniq("email", true);
    ind["phones"] = uniq("phone", false);
    ind["wallets"] = uniq("wallet", false);
    ind["money"] = uniq("money", false);
    j["indicators"] = ind;
    j["next_steps"] = r.next_steps;
    j["report_to"] = r.report_to.empty() ? Json(nullptr) : Json(r.report_to);
    j["notes"] = r.notes;
    return j;
}

std::string explain_text(const ExplainReport& r, const std::string& file) {
    std::ostringstream o;
    std::string who = brand_phrase(r);
    o << r.verdict << ": ";
    if (r.verdict == "authentic-but-abusive")
        o << "sent by " << possessive(who) << " systems (" << r.authenticated_domain << "), carrying content " << who << " did not write\n";
    else if (r.verdict == "authentic")
        o << "sent by " << possessive(who) << " systems (" << r.authenticated_domain << "); no sign of abuse\n";
    else if (r.verdict == "spoofed")
        o << "claims to be " << who << " but does not authenticate as it\n";
    else if (r.verdict == "inconclusive")
        o << "authentication could not be checked (DNS temporary failure)\n";
    else
        o << "nothing proves who sent it\n";
    o << "  " << r.reason.text << "\n\n";
    o << "What authentication proves\n";
    for (const auto& p : r.proves) o << "  " << p << "\n";
    std::vector<std::string> trust = trust_lines(r.auth);
    if (!trust.empty()) {
        o << "\nWhose results\n";
        for (const auto& l : trust) o << "  " << l << "\n";
    }
    o << "\nWhat it does not prove\n";
    for (const auto& p : r.does_not_prove) o << "  " << p << "\n";
    int n[4] = {0, 0, 0, 0};
    for (const auto& f : r.findings) ++n[int(f.severity)];
    o << "\nFindings";
    if (r.findings.empty()) o << ": none\n";
    else {
        std::vector<std::string> counts;
        const char* names[] = {"high", "medium", "low", "info"};
        for (int i = 0; i < 4; ++i)
            if (n[i]) counts.push_back(std::to_string(n[i]) + " " + names[i]);
        o << " (" << join(counts, ", ") << ")\n";
    }
    for (const auto& f : r.findings) {
        o << "  [" << to_string(f.severity) << "] " << f.id << ": " << f.summary << "\n";
        for (const auto& e : f.evidence) o << "      " << e << "\n";
    }
    std::vector<std::string> iv;
    auto count = [&](const char* k, const char* one, const char* many) {
        std::set<std::string> s;
        for (const auto* i : r.indicators.of(k)) s.insert(i->value);
        if (!s.empty()) iv.push_back(std::to_string(s.size()) + " " + (s.size() == 1 ? one : many));
    };
    count("url", "link", "links");
    count("email", "address", "addresses");
    count("phone", "phone number", "phone numbers");
    count("wallet", "wallet", "wallets");
    count("money", "amount", "amounts");
    if (!iv.empty()) o << "\nIndicators: " << join(iv, ", ") << " (--json lists them, defanged)\n";
    if (!r.notes.empty()) {
        o << "\nNotes\n";
        for (const auto& x : r.notes) o << "  " << x << "\n";
    }
    o << "\nWhat to do next\n";
    for (const auto& s : r.next_steps) {
        if (s.rfind("authscope report", 0) == 0) {
            std::string cmd = s;
            auto p = cmd.rfind(" FILE");
            if (p != std::string::npos && !file.empty() && file != "-") cmd = cmd.substr(0, p) + " " + file;
            o << "    " << cmd << "\n";
        } else {
            o << "  " << s << "\n";
        }
    }
    return o.str();
}

}  // namespace auth
