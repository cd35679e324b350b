// DMARC aggregate report reader: RFC 7489 appendix C and RFC 9990.
#include "auth/aggregate.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "auth/error.hpp"
#include "auth/message.hpp"
#include "detail/archive_libarchive.hpp"
#include "detail/archive_mime.hpp"
#include "detail/text.hpp"
#include "detail/xml_libxml2.hpp"

namespace auth {
namespace {

using detail::XmlNode;
using Json = nlohmann::ordered_json;

OptString opt_text(const XmlNode* parent, const char* name) {
    if (!parent) return std::nullopt;
    const XmlNode* c = parent->child(name);
    if (!c) return std::nullopt;
    return c->text;
}

std::string text_of(const XmlNode* parent, const char* name) { return opt_text(parent, name).value_or(""); }

// Enumerated values (RFC 9990 appendix A) are lower case; some reporters write "Pass".
struct Reader {
    AggregateReport& r;
    std::set<std::string> case_warned;

    std::string word(const XmlNode* parent, const char* name) {
        std::string v = text_of(parent, name);
        std::string low = to_lower(v);
        if (low != v && case_warned.insert(name).second)
            r.warnings.push_back(std::string("The <") + name + "> value \"" + v + "\" is not in lower case as the schema requires; it was read as \"" + low + "\".");
        return low;
    }
    OptString opt_word(const XmlNode* parent, const char* name) {
        if (!parent || !parent->child(name)) return std::nullopt;
        return word(parent, name);
    }
    template <class T>
    T number(const XmlNode* parent, const char* name, const char* what) {
        std::string v = text_of(parent, name);
        if (v.empty()) {
            r.warnings.push_back(std::string("The report has no ") + what + ".");
            return 0;
        }
        errno = 0;
        char* end = nullptr;
        long long n = std::strtoll(v.c_str(), &end, 10);
        // Some reporters write begin/end as decimals ("1536105600.0"): keep the integer part.
        if (end == v.c_str() || errno || (*end && *end != '.') || (std::is_unsigned<T>::value && n < 0)) {
            r.warnings.push_back(std::string("The ") + what + " \"" + v + "\" is not a number; it was read as 0.");
            return 0;
        }
        return static_cast<T>(n);
    }
};

std::vector<AggregateExtension> read_extensions(const XmlNode* ext) {
    std::vector<AggregateExtension> out;
    if (!ext) return out;
    for (const XmlNode* e : ext->all("extension")) {
        AggregateExtension x;
        if (const std::string* n = e->attribute("name")) x.name = *n;
        if (const std::string* d = e->attribute("definition")) x.definition = *d;
        out.push_back(std::move(x));
    }
    return out;
}

Json opt_json(const OptString& s) { return s ? Json(*s) : Json(nullptr); }

Json extensions_json(const std::vector<AggregateExtension>& v) {
    Json a = Json::array();
    for (const auto& e : v) a.push_back({{"name", e.name}, {"definition", opt_json(e.definition)}});
    return a;
}

std::string date_text(std::int64_t t) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm {};
    if (!gmtime_r(&tt, &tm)) return std::to_string(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

// Per source IP: the counts the summary table shows.
struct SourceSummary {
    std::string ip;
    std::uint64_t messages = 0, pass = 0, fail = 0, spf_aligned = 0, dkim_aligned = 0;
    std::map<std::string, std::uint64_t> dispositions;
    std::set<std::string> header_from, envelope_from, dkim_domains, spf_domains;
};

std::vector<SourceSummary> summarise(const AggregateReport& r) {
    std::map<std::string, SourceSummary> by_ip;
    std::vector<std::string> order;
    for (const auto& rec : r.records) {
        auto [it, fresh] = by_ip.try_emplace(rec.source_ip);
        if (fresh) order.push_back(rec.source_ip);
        SourceSummary& s = it->second;
        s.ip = rec.source_ip;
        s.messages += rec.count;
        (rec.dmarc_pass() ? s.pass : s.fail) += rec.count;
        if (rec.spf == "pass") s.spf_aligned += rec.count;
        if (rec.dkim == "pass") s.dkim_aligned += rec.count;
        s.dispositions[rec.disposition.empty() ? "unknown" : rec.disposition] += rec.count;
        if (!rec.header_from.empty()) s.header_from.insert(rec.header_from);
        if (rec.envelope_from && !rec.envelope_from->empty()) s.envelope_from.insert(*rec.envelope_from);
        for (const auto& d : rec.dkim_results) s.dkim_domains.insert(d.domain + "=" + d.result);
        for (const auto& d : rec.spf_results) s.spf_domains.insert(d.domain + "=" + d.result);
    }
    std::vector<SourceSummary> out;
    for (const auto& ip : order) out.push_back(by_ip[ip]);
    return out;
}

Json set_json(const std::set<std::string>& s) { return Json(std::vector<std::string>(s.begin(), s.end())); }

std::string ltrim_bom(const std::string& b) {
    std::size_t i = 0;
    if (b.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
    while (i < b.size() && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) ++i;
    return b.substr(i, 16);
}

void read_container(const std::string& bytes, const std::string& name, const AggregateLimits& limits,
                    std::vector<AggregateReport>& out, int depth);

void read_attachments(const std::string& bytes, const AggregateLimits& limits, std::vector<AggregateReport>& out,
                      int depth) {
    std::vector<std::string> errors;
    for (const auto& p : detail::mime_parts(bytes)) {
        if (p.content_type.rfind("multipart/", 0) == 0 || p.bytes.empty()) continue;
        std::string fn = to_lower(p.filename);
        auto ends = [&](const char* suf) {
            std::string s(suf);
            return fn.size() >= s.size() && fn.compare(fn.size() - s.size(), s.size(), s) == 0;
        };
        bool candidate = detail::looks_compressed(p.bytes) || ends(".xml") || ends(".gz") || ends(".zip") ||
                         p.content_type.find("xml") != std::string::npos;
        if (!candidate || p.content_type.rfind("message/", 0) == 0) continue;
        try {
            read_container(p.bytes, p.filename, limits, out, depth + 1);
        } catch (const InputError& e) {
            errors.push_back((p.filename.empty() ? p.content_type : p.filename) + ": " + e.what());
        }
    }
    if (out.empty()) {
        if (!errors.empty()) throw InputError("the attached aggregate report cannot be read: " + errors.front());
        throw InputError("no DMARC aggregate report in this message (no XML, gzip or zip attachment)");
    }
}

void read_container(const std::string& bytes, const std::string& name, const AggregateLimits& limits,
                    std::vector<AggregateReport>& out, int depth) {
    if (depth > 4) throw InputError("archives are nested too deeply");
    if (bytes.empty()) throw InputError("the file is empty");
    if (detail::looks_compressed(bytes)) {
        detail::ArchiveLimits al;
        al.max_total_bytes = limits.max_archive_bytes;
        for (auto& e : detail::unpack(bytes, al)) {
            std::string member = e.name.empty() ? name : name.empty() ? e.name : name + "/" + e.name;
            read_container(e.bytes, member, limits, out, depth + 1);
        }
        return;
    }
    if (!ltrim_bom(bytes).empty() && ltrim_bom(bytes)[0] == '<') {
        out.push_back(parse_aggregate_xml(bytes, limits));
        out.back().source = name;
        return;
    }
    if (bytes.find_first_not_of(" \t\r\n") == std::string::npos) throw InputError("the file is empty");
    if (ltrim_bom(bytes)[0] == '{') throw InputError("this is JSON, not a DMARC aggregate report (an SMTP TLS report, RFC 8460, is not read by authscope)");
    read_attachments(bytes, limits, out, depth);
}

}  // namespace

bool looks_like_aggregate(const std::string& bytes) {
    if (detail::looks_compressed(bytes)) return true;
    std::string head = ltrim_bom(bytes);
    return !head.empty() && head[0] == '<';
}

AggregateReport parse_aggregate_xml(const std::string& xml, const AggregateLimits& limits) {
    detail::XmlLimits xl;
    xl.max_bytes = limits.max_xml_bytes;
    detail::XmlDocument doc = detail::parse_xml(xml, xl);
    const XmlNode* found = &doc.root;
    std::string wrapped;
    if (found->name != "feedback") {
        // Some reporters wrap <feedback> in another element (e.g. an unclosed <xs:schema>).
        const XmlNode* inner = nullptr;
        for (const XmlNode* level = found; level && !inner;) {
            inner = level->child("feedback");
            level = level->children.size() == 1 ? &level->children[0] : nullptr;
        }
        if (!inner) {
            if (!doc.recovered_from.empty()) throw InputError(doc.recovered_from);
            throw InputError("not a DMARC aggregate report: the root element is <" + found->name + ">, not <feedback>");
        }
        wrapped = found->name;
        found = inner;
    }
    const XmlNode& fb = *found;
    AggregateReport r;
    r.warnings = doc.warnings;
    if (!wrapped.empty()) r.warnings.push_back("The <feedback> element is wrapped in <" + wrapped + ">; it was read from inside.");
    Reader rd{r, {}};
    r.version = opt_text(&fb, "version");
    const XmlNode* md = fb.child("report_metadata");
    if (!md) r.warnings.push_back("The report has no <report_metadata>.");
    r.org_name = text_of(md, "org_name");
    r.email = text_of(md, "email");
    r.extra_contact_info = opt_text(md, "extra_contact_info");
    r.report_id = text_of(md, "report_id");
    r.generator = opt_text(md, "generator");
    const XmlNode* dr = md ? md->child("date_range") : nullptr;
    r.begin = rd.number<std::int64_t>(dr, "begin", "date range begin");
    r.end = rd.number<std::int64_t>(dr, "end", "date range end");
    if (md)
        for (const XmlNode* e : md->all("error")) r.errors.push_back(e->text);
    const XmlNode* pp = fb.child("policy_published");
    if (!pp) r.warnings.push_back("The report has no <policy_published>.");
    r.domain = to_lower(text_of(pp, "domain"));
    r.version_published = opt_text(pp, "version_published");
    r.adkim = rd.opt_word(pp, "adkim");
    r.aspf = rd.opt_word(pp, "aspf");
    r.p = rd.opt_word(pp, "p");
    r.sp = rd.opt_word(pp, "sp");
    r.np = rd.opt_word(pp, "np");
    r.pct = opt_text(pp, "pct");
    r.fo = opt_text(pp, "fo");
    r.discovery_method = rd.opt_word(pp, "discovery_method");
    if (OptString t = rd.opt_word(pp, "testing")) {
        if (*t == "y") r.testing = true;
        else if (*t == "n") r.testing = false;
        else r.warnings.push_back("The <testing> value \"" + *t + "\" is neither y nor n.");
    }
    for (const XmlNode* rec : fb.all("record")) {
        if (r.records.size() >= limits.max_records)
            throw InputError("the report has more than " + std::to_string(limits.max_records) + " records");
        AggregateRecord a;
        const XmlNode* row = rec->child("row");
        a.source_ip = text_of(row, "source_ip");
        a.count = rd.number<std::uint64_t>(row, "count", "record count");
        const XmlNode* pe = row ? row->child("policy_evaluated") : nullptr;
        a.disposition = rd.word(pe, "disposition");
        a.dkim = rd.word(pe, "dkim");
        a.spf = rd.word(pe, "spf");
        if (pe)
            for (const XmlNode* rs : pe->all("reason")) {
                std::string type = rd.word(rs, "type");
                OptString comment = opt_text(rs, "comment");
                if (type.empty() && (!comment || comment->empty())) continue;  // <reason><type/></reason>
                a.reasons.push_back({type, comment});
            }
        const XmlNode* id = rec->child("identifiers");
        a.envelope_to = opt_text(id, "envelope_to");
        a.envelope_from = opt_text(id, "envelope_from");
        a.header_from = to_lower(text_of(id, "header_from"));
        if (const XmlNode* ar = rec->child("auth_results")) {
            for (const XmlNode* d : ar->all("dkim"))
                a.dkim_results.push_back({text_of(d, "domain"), opt_text(d, "selector"), rd.word(d, "result"),
                                          opt_text(d, "human_result")});
            for (const XmlNode* s : ar->all("spf"))
                a.spf_results.push_back({text_of(s, "domain"), rd.opt_word(s, "scope"), rd.word(s, "result"),
                                         opt_text(s, "human_result")});
        }
        a.extensions = read_extensions(rec->child("extensions"));
        r.records.push_back(std::move(a));
    }
    r.extensions = read_extensions(fb.child("extensions"));
    if (!md && !pp && r.records.empty())
        throw InputError("the <feedback> element has no <report_metadata>, no <policy_published> and no <record>: not a usable aggregate report");
    return r;
}

std::vector<AggregateReport> read_aggregate(const std::string& bytes, const AggregateLimits& limits) {
    std::vector<AggregateReport> out;
    read_container(bytes, "", limits, out, 0);
    return out;
}

Json aggregate_json(const AggregateReport& r) {
    Json j;
    j["report"] = "aggregate";
    j["source"] = r.source.empty() ? Json(nullptr) : Json(r.source);
    j["version"] = opt_json(r.version);
    j["report_metadata"] = {{"org_name", r.org_name},
                            {"email", r.email},
                            {"extra_contact_info", opt_json(r.extra_contact_info)},
                            {"report_id", r.report_id},
                            {"date_range", {{"begin", r.begin}, {"end", r.end}}},
                            {"errors", r.errors},
                            {"generator", opt_json(r.generator)}};
    j["policy_published"] = {{"domain", r.domain},
                             {"version_published", opt_json(r.version_published)},
                             {"adkim", opt_json(r.adkim)},
                             {"aspf", opt_json(r.aspf)},
                             {"p", opt_json(r.p)},
                             {"sp", opt_json(r.sp)},
                             {"np", opt_json(r.np)},
                             {"pct", opt_json(r.pct)},
                             {"fo", opt_json(r.fo)},
                             {"testing", r.testing ? Json(*r.testing) : Json(nullptr)},
                             {"discovery_method", opt_json(r.discovery_method)}};
    Json recs = Json::array();
    for (const auto& a : r.records) {
        Json reasons = Json::array();
        for (const auto& x : a.reasons) reasons.push_back({{"type", x.type}, {"comment", opt_json(x.comment)}});
        Json dk = Json::array(), sp = Json::array();
        for (const auto& d : a.dkim_results)
            dk.push_back({{"domain", d.domain}, {"selector", opt_json(d.selector)}, {"result", d.result},
                          {"human_result", opt_json(d.human_result)}});
        for (const auto& s : a.spf_results)
            sp.push_back({{"domain", s.domain}, {"scope", opt_json(s.scope)}, {"result", s.result},
                          {"human_result", opt_json(s.human_result)}});
        recs.push_back({{"source_ip", a.source_ip},
                        {"count", a.count},
                        {"policy_evaluated", {{"disposition", a.disposition}, {"dkim", a.dkim}, {"spf", a.spf},
                                              {"reasons", reasons}}},
                        {"identifiers", {{"envelope_to", opt_json(a.envelope_to)},
                                         {"envelope_from", opt_json(a.envelope_from)},
                                         {"header_from", a.header_from}}},
                        {"auth_results", {{"dkim", dk}, {"spf", sp}}},
                        {"dmarc", a.dmarc_pass() ? "pass" : "fail"},
                        {"extensions", extensions_json(a.extensions)}});
    }
    j["records"] = recs;
    j["extensions"] = extensions_json(r.extensions);
    std::uint64_t total = 0, pass = 0;
    std::map<std::string, std::uint64_t> disp;
    for (const auto& a : r.records) {
        total += a.count;
        if (a.dmarc_pass()) pass += a.count;
        disp[a.disposition.empty() ? "unknown" : a.disposition] += a.count;
    }
    Json sources = Json::array(), failing = Json::array();
    auto sums = summarise(r);
    for (const auto& s : sums) {
        Json d(Json::object());
        for (const auto& kv : s.dispositions) d[kv.first] = kv.second;
        Json sj = {{"source_ip", s.ip}, {"messages", s.messages}, {"dmarc_pass", s.pass}, {"dmarc_fail", s.fail},
                   {"spf_aligned_pass", s.spf_aligned}, {"dkim_aligned_pass", s.dkim_aligned},
                   {"dispositions", d}, {"header_from", set_json(s.header_from)},
                   {"envelope_from", set_json(s.envelope_from)}, {"dkim", set_json(s.dkim_domains)},
                   {"spf", set_json(s.spf_domains)}};
        sources.push_back(sj);
    }
    std::vector<const SourceSummary*> f;
    for (const auto& s : sums)
        if (s.fail) f.push_back(&s);
    std::stable_sort(f.begin(), f.end(), [](auto* a, auto* b) { return a->fail > b->fail; });
    for (auto* s : f)
        failing.push_back({{"source_ip", s->ip}, {"messages_failing", s->fail}, {"header_from", set_json(s->header_from)},
                           {"envelope_from", set_json(s->envelope_from)}, {"dkim", set_json(s->dkim_domains)},
                           {"spf", set_json(s->spf_domains)}});
    Json dj(Json::object());
    for (const auto& kv : disp) dj[kv.first] = kv.second;
    j["summary"] = {{"messages", total}, {"dmarc_pass", pass}, {"dmarc_fail", total - pass}, {"dispositions", dj},
                    {"sources", sources}, {"failing_sources", failing}};
    j["warnings"] = r.warnings;
    return j;
}

std::string aggregate_text(const AggregateReport& r) {
    std::ostringstream o;
    std::uint64_t total = 0, pass = 0;
    for (const auto& a : r.records) {
        total += a.count;
        if (a.dmarc_pass()) pass += a.count;
    }
    o << "DMARC aggregate report for " << (r.domain.empty() ? "(no domain)" : r.domain) << " from "
      << (r.org_name.empty() ? "(no organisation)" : r.org_name);
    if (!r.email.empty()) o << " <" << r.email << ">";
    o << "\n  report id " << r.report_id << ", " << date_text(r.begin) << " to " << date_text(r.end) << "\n";
    o << "  policy p=" << r.p.value_or("-") << " sp=" << r.sp.value_or("-");
    if (r.np) o << " np=" << *r.np;
    o << " adkim=" << r.adkim.value_or("r") << " aspf=" << r.aspf.value_or("r");
    if (r.pct) o << " pct=" << *r.pct;
    o << "\n  " << total << " message(s): " << pass << " pass DMARC, " << (total - pass) << " fail\n";
    for (const auto& e : r.errors) o << "  reporter error: " << e << "\n";
    auto sums = summarise(r);
    if (!sums.empty()) {
        o << "\n  " << std::string("SOURCE IP") + std::string(31, ' ') << "MSGS   PASS   FAIL  SPF-AL DKIM-AL  DISPOSITIONS\n";
        for (const auto& s : sums) {
            char line[256];
            std::string disp;
            for (const auto& kv : s.dispositions) disp += (disp.empty() ? "" : ",") + kv.first + "=" + std::to_string(kv.second);
            std::snprintf(line, sizeof line, "  %-39s %5llu %6llu %6llu %7llu %7llu  %s\n", s.ip.c_str(),
                          (unsigned long long)s.messages, (unsigned long long)s.pass, (unsigned long long)s.fail,
                          (unsigned long long)s.spf_aligned, (unsigned long long)s.dkim_aligned, disp.c_str());
            o << line;
        }
    }
    bool any = false;
    for (const auto& s : sums) {
        if (!s.fail) continue;
        if (!any) o << "\n  Sending as " << r.domain << " and failing DMARC:\n";
        any = true;
        auto join = [](const std::set<std::string>& v) { return v.empty() ? std::string("-") : detail::join(v, " "); };
        o << "    " << s.ip << ": " << s.fail << " message(s); header_from " << join(s.header_from) << "; envelope_from "
          << join(s.envelope_from) << "; dkim " << join(s.dkim_domains) << "; spf " << join(s.spf_domains) << "\n";
    }
    if (!any && !sums.empty()) o << "\n  Every reported source passed DMARC.\n";
    for (const auto& w : r.warnings) o << "  warning: " << w << "\n";
    return o.str();
}

}  // namespace auth
