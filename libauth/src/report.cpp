// `authscope report`: the reader dispatch, the ARF writer (RFC 5965, RFC 6591, RFC 6590) and
// the evidence bundle.
#include "auth/report.hpp"
#include "auth/report_tool.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "auth/error.hpp"
#include "auth/message.hpp"

namespace auth {
namespace {

using Json = nlohmann::ordered_json;

std::string hex(const unsigned char* p, std::size_t n) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

bool is_ascii(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A header value may never carry a line break (field injection) or control characters.
std::string one_line(const std::string& v) {
    std::string out;
    for (char c : v) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '\r' || c == '\n' || c == '\t') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else if (u >= 0x20 && u != 0x7f) {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// RFC 2047 §4.1 "B" encoding for a non-ASCII unstructured value.
std::string encode_word(const std::string& v) {
    if (is_ascii(v)) return v;
    std::string out;
    std::size_t i = 0;
    while (i < v.size()) {
        // Whole UTF-8 sequences per word, at most 45 bytes (60 base64 chars).
        std::size_t n = std::min<std::size_t>(45, v.size() - i);
        while (i + n < v.size() && n > 0 && (static_cast<unsigned char>(v[i + n]) & 0xC0) == 0x80) --n;
        if (n == 0) n = std::min<std::size_t>(45, v.size() - i);
        std::string chunk = v.substr(i, n);
        std::string b64(4 * ((chunk.size() + 2) / 3) + 1, '\0');
        int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&b64[0]),
                                  reinterpret_cast<const unsigned char*>(chunk.data()), static_cast<int>(chunk.size()));
        b64.resize(static_cast<std::size_t>(len));
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + b64 + "?=";
        i += n;
    }
    return out;
}

// "Name: value" folded at white space to stay near 78 columns (RFC 5322 §2.2.3).
std::string field(const std::string& name, const std::string& value) {
    std::string v = one_line(value);
    std::string out = name + ":";
    std::size_t col = out.size();
    std::istringstream words(v);
    std::string w;
    bool first = true;
    while (words >> w) {
        if (!first && col + 1 + w.size() > 78) {
            out += "\r\n ";
            col = 1;
        } else {
            out += ' ';
            ++col;
        }
        out += w;
        col += w.size();
        first = false;
    }
    return out + "\r\n";
}

// Bare LF (and lone CR) to CRLF: the wire form RFC 5322 §2.1 requires.
std::string to_crlf(const std::string& s) {
    std::string out;
    out.reserve(s.size() + s.size() / 40);
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    return out;
}

// Splits text lines longer than 900 bytes so no line exceeds RFC 5322's 998.
std::string wrap_long_lines(const std::string& text) {
    std::string out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        while (line.size() > 900) {
            out += line.substr(0, 900) + "\n";
            line = "  " + line.substr(900);
        }
        out += line + "\n";
    }
    return out;
}

std::string now_rfc5322() {
    std::time_t t = std::time(nullptr);
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::string percent_encode_8bit(const std::string& v) {
    std::string out;
    char b[4];
    for (char c : v) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
            std::snprintf(b, sizeof b, "%%%02X", u);
            out += b;
        } else {
            out += c;
        }
    }
    return out;
}

std::string header_section(const std::string& msg) {
    auto p = msg.find("\r\n\r\n");
    if (p != std::string::npos) return msg.substr(0, p + 4);
    return msg + "\r\n";
}

bool ieq_at(const std::string& hay, std::size_t pos, const std::string& needle) {
    if (pos + needle.size() > hay.size()) return false;
    for (std::size_t i = 0; i < needle.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(hay[pos + i])) != std::tolower(static_cast<unsigned char>(needle[i])))
            return false;
    return true;
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
    return hex(md, n);
}

ReportRead read_report(const std::string& bytes) {
    ReportRead r;
    if (bytes.find_first_not_of(" \t\r\n") == std::string::npos) throw InputError("the file is empty");
    if (looks_like_aggregate(bytes)) {
        r.aggregates = read_aggregate(bytes);
        return r;
    }
    std::string feedback_error, aggregate_error;
    if (looks_like_feedback_report(bytes)) {
        try {
            r.feedback = parse_feedback_report(bytes);
            return r;
        } catch (const InputError& e) {
            feedback_error = e.what();
        }
    }
    try {
        r.aggregates = read_aggregate(bytes);
        return r;
    } catch (const InputError& e) {
        aggregate_error = e.what();
    }
    if (!feedback_error.empty()) throw InputError(feedback_error);
    if (aggregate_error.rfind("no DMARC aggregate report in this message", 0) == 0)
        throw InputError("not a report: no message/feedback-report part (ARF, RFC 5965) and no XML, gzip or zip "
                         "aggregate report attached");
    throw InputError(aggregate_error);
}

std::string redact_addresses(const std::string& text, const std::vector<std::string>& addrs, const std::string& key) {
    std::string out = text;
    for (const auto& a : addrs) {
        auto at = a.rfind('@');
        if (a.empty() || at == std::string::npos || at == 0) throw UsageError("--redact wants an address local@domain, not \"" + a + "\"");
        std::string local = to_lower(a.substr(0, at)), domain = a.substr(at + 1);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(local.data()),
             local.size(), md, &n);
        std::string token = "redacted-" + hex(md, 8) + "@" + domain;
        std::string next;
        std::size_t i = 0;
        while (i < out.size()) {
            if (ieq_at(out, i, a)) {
                next += token;
                i += a.size();
            } else {
                next += out[i++];
            }
        }
        out.swap(next);
    }
    return out;
}

std::string write_feedback_report(const ReportDraft& d) {
    static const char* kTypes[] = {"abuse", "fraud", "virus", "other", "not-spam", "auth-failure"};
    if (std::find(std::begin(kTypes), std::end(kTypes), d.feedback_type) == std::end(kTypes))
        throw UsageError("feedback type must be one of abuse, fraud, virus, other, not-spam, auth-failure");
    std::string key = d.redact_key;
    if (key.empty() && !d.redact.empty()) {
        unsigned char k[32];
        if (RAND_bytes(k, sizeof k) != 1) throw InputError("cannot get random bytes for the redaction key");
        key.assign(reinterpret_cast<char*>(k), sizeof k);
    }
    auto red = [&](const std::string& s) { return d.redact.empty() ? s : redact_addresses(s, d.redact, key); };

    std::string original = red(to_crlf(d.original));
    if (d.headers_only) original = header_section(original);
    std::string orig_subject, orig_from;
    try {
        Message m = Message::parse(original.find("\r\n\r\n") == std::string::npos ? original + "\r\n" : original);
        if (auto* f = m.first("Subject")) orig_subject = f->value;
        if (auto* f = m.first("From")) orig_from = f->value;
    } catch (const std::exception&) {
    }

    // Part 1: the human-readable part (RFC 5965 §2 item b).
    std::ostringstream h;
    std::string what = d.feedback_type == "auth-failure" ? "an authentication failure report"
                       : d.feedback_type == "abuse"      ? "an abuse report"
                                                         : "an abuse report (feedback type " + d.feedback_type + ")";
    h << "This is " << what << " for a message";
    if (!d.source_ip.empty()) h << " received from IP " << d.source_ip;
    if (!d.arrival_date.empty()) h << " on " << d.arrival_date;
    h << ".\n";
    if (!orig_from.empty()) h << "From: " << orig_from << "\n";
    if (!orig_subject.empty()) h << "Subject: " << orig_subject << "\n";
    if (!d.verdict.empty() || !d.verdict_text.empty()) {
        h << "\nVerdict: " << (d.verdict.empty() ? "-" : d.verdict) << "\n";
        if (!d.verdict_text.empty()) h << d.verdict_text << "\n";
    }
    if (!d.findings.empty()) {
        h << "\nFindings:\n";
        for (const auto& f : d.findings) {
            h << "- [" << (f.severity.empty() ? "info" : f.severity) << "] " << f.summary;
            if (!f.id.empty()) h << " (" << f.id << ")";
            h << "\n";
            if (!f.evidence.empty()) h << "  Evidence: " << f.evidence << "\n";
        }
    }
    if (!d.indicators.empty()) {
        h << "\nIndicators (defanged, do not visit):\n";
        for (const auto& i : d.indicators) h << "  " << i << "\n";
    }
    if (!d.authentication_results.empty()) {
        h << "\nAuthentication results:\n";
        for (const auto& a : d.authentication_results) h << "  " << one_line(a) << "\n";
    }
    h << "\nThe original message is attached" << (d.headers_only ? " (header only)" : "")
      << (d.redact.empty() ? "" : ", with the reporter's address(es) redacted (RFC 6590)") << ".\n"
      << "Report format: RFC 5965 (ARF)" << (d.feedback_type == "auth-failure" ? " with RFC 6591 fields" : "") << ".\n";
    std::string human = to_crlf(wrap_long_lines(red(h.str())));

    // Part 2: the machine-readable part (RFC 5965 §3.1, §3.2; RFC 6591 §3.1, §3.2).
    std::string ua = d.user_agent.empty() ? std::string("authscope/") + AUTHSCOPE_VERSION : d.user_agent;
    std::string fb;
    fb += field("Feedback-Type", d.feedback_type);
    fb += field("User-Agent", ua);
    fb += field("Version", "1");
    if (!d.original_mail_from.empty()) fb += field("Original-Mail-From", red(d.original_mail_from));
    for (const auto& r : d.original_rcpt_to) fb += field("Original-Rcpt-To", red(r));
    if (!d.arrival_date.empty()) fb += field("Arrival-Date", d.arrival_date);
    if (!d.source_ip.empty()) fb += field("Source-IP", d.source_ip);
    for (const auto& x : d.reported_domain) fb += field("Reported-Domain", x);
    for (const auto& x : d.reported_uri) fb += field("Reported-URI", percent_encode_8bit(x));
    for (const auto& x : d.authentication_results) fb += field("Authentication-Results", red(x));
    if (!d.auth_failure.empty()) fb += field("Auth-Failure", d.auth_failure);
    if (!d.delivery_result.empty()) fb += field("Delivery-Result", d.delivery_result);
    if (!d.dkim_domain.empty()) fb += field("DKIM-Domain", d.dkim_domain);
    if (!d.dkim_identity.empty()) fb += field("DKIM-Identity", red(d.dkim_identity));
    if (!d.dkim_selector.empty()) fb += field("DKIM-Selector", d.dkim_selector);
    if (!d.spf_dns.empty()) fb += field("SPF-DNS", d.spf_dns);
    if (!d.identity_alignment.empty()) fb += field("Identity-Alignment", d.identity_alignment);

    // message/rfc822 allows only 7bit, 8bit or binary (RFC 2046 §5.2.1).
    std::string cte = "7bit";
    bool long_line = false;
    {
        std::size_t run = 0;
        for (char c : original) {
            if (c == '\n') run = 0;
            else if (++run > 998) long_line = true;
            if (c == '\0') long_line = true;
        }
    }
    if (long_line) cte = "binary";
    else if (!is_ascii(original)) cte = "8bit";
    std::string human_cte = is_ascii(human) ? "7bit" : "8bit";

    std::string boundary = d.boundary;
    if (boundary.empty()) {
        std::string base = "authscope-" + sha256_hex(d.original).substr(0, 24);
        boundary = base;
        for (int n = 1; original.find(boundary) != std::string::npos || human.find(boundary) != std::string::npos; ++n)
            boundary = base + "-" + std::to_string(n);
    }
    std::string date = d.date.empty() ? now_rfc5322() : d.date;
    std::string mid = d.message_id.empty()
                          ? "<authscope-report." + sha256_hex(d.original + date).substr(0, 20) + "@authscope.invalid>"
                          : d.message_id;
    std::string subject = d.subject.empty() ? "Abuse report: " + (orig_subject.empty() ? std::string("(no subject)") : orig_subject)
                                            : d.subject;
    if (d.subject.empty() && d.feedback_type == "auth-failure")
        subject = "Authentication failure report: " + (orig_subject.empty() ? std::string("(no subject)") : orig_subject);

    std::string out;
    out += field("From", d.from);
    if (!d.to.empty()) out += field("To", d.to);
    out += "Subject: " + encode_word(one_line(red(subject))) + "\r\n";
    out += field("Date", date);
    out += field("Message-ID", mid);
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: multipart/report; report-type=feedback-report;\r\n boundary=\"" + boundary + "\"\r\n";
    out += "\r\n";
    out += "This is a multi-part message in MIME format (an ARF report, RFC 5965).\r\n\r\n";
    out += "--" + boundary + "\r\n";
    out += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: " + human_cte + "\r\n\r\n";
    out += human;
    out += "\r\n--" + boundary + "\r\n";
    out += "Content-Type: message/feedback-report\r\n\r\n";
    out += fb;
    out += "\r\n--" + boundary + "\r\n";
    if (d.headers_only) {
        out += "Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n";
    } else {
        out += "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n";
    }
    // The CRLF before the delimiter belongs to it (RFC 2046 §5.1.1): an original whose last line
    // has no line break is returned as it is, byte for byte.
    out += original;
    out += "\r\n--" + boundary + "--\r\n";
    return out;
}

std::vector<BundleFile> write_bundle(const std::string& dir, const std::string& report, const std::string& original,
                                     const std::vector<DnsAnswer>& answers, const std::string& verdict_json,
                                     const std::string& tool_version,
                                     const std::function<std::string(const std::vector<BundleFile>&)>& index_page) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) throw UsageError("--bundle " + dir + ": exists and is not a directory");
        if (!fs::is_empty(dir, ec)) throw UsageError("--bundle " + dir + ": the directory is not empty (refusing to overwrite evidence)");
    }
    fs::create_directories(dir, ec);
    if (ec) throw UsageError("--bundle " + dir + ": cannot create it: " + ec.message());
    std::vector<std::pair<std::string, std::string>> files = {{"report.eml", report},
                                                              {"original.eml", original},
                                                              {"dns.zone", write_snapshot(answers)},
                                                              {"verdict.json", verdict_json}};
    std::vector<BundleFile> out;
    auto put = [&](const std::string& name, const std::string& bytes) {
        std::ofstream f(fs::path(dir) / name, std::ios::binary);
        f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!f) throw InputError("cannot write " + (fs::path(dir) / name).string());
    };
    Json manifest;
    manifest["tool"] = "authscope-report";
    manifest["version"] = tool_version;
    manifest["created"] = now_rfc5322();
    manifest["files"] = Json::array();
    std::string sums;
    for (const auto& [name, bytes] : files) {
        put(name, bytes);
        BundleFile bf{name, sha256_hex(bytes), bytes.size()};
        manifest["files"].push_back({{"name", bf.name}, {"sha256", bf.sha256}, {"size", bf.size}});
        sums += bf.sha256 + "  " + bf.name + "\n";
        out.push_back(bf);
    }
    if (index_page) {
        std::string page = index_page(out);
        put("index.html", page);
        BundleFile bf{"index.html", sha256_hex(page), page.size()};
        manifest["files"].push_back({{"name", bf.name}, {"sha256", bf.sha256}, {"size", bf.size}});
        sums += bf.sha256 + "  " + bf.name + "\n";
        out.push_back(bf);
    }
    manifest["reverify"] = "authscope explain --dns-from dns.zone original.eml";
    put("manifest.json", manifest.dump(2) + "\n");
    put("SHA256SUMS", sums);
    return out;
}

}  // namespace auth

namespace auth {

std::vector<Json> report_read_json(const ReportRead& r) {
    std::vector<Json> out;
    if (r.feedback) {
        Json j = feedback_json(*r.feedback);
        j["result"] = "none";
        out.push_back(std::move(j));
    }
    for (const auto& a : r.aggregates) {
        Json j = aggregate_json(a);
        // Whether every message the report counts passed DMARC.
        j["result"] = j["summary"]["dmarc_fail"].get<std::uint64_t>() == 0 ? "pass" : "fail";
        out.push_back(std::move(j));
    }
    return out;
}

std::string report_read_text(const ReportRead& r) {
    std::string t;
    if (r.feedback) t += feedback_text(*r.feedback);
    for (std::size_t i = 0; i < r.aggregates.size(); ++i) {
        if (i || r.feedback) t += "\n";
        t += aggregate_text(r.aggregates[i]);
    }
    return t;
}

namespace {

void list_inputs(const std::string& path, std::vector<std::string>& out) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path != "-" && fs::is_directory(path, ec)) {
        std::vector<std::string> files;
        for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            std::string name = it->path().filename().string();
            if (!name.empty() && name[0] == '.') {
                if (it->is_directory(ec)) it.disable_recursion_pending();
                continue;
            }
            if (it->is_regular_file(ec)) files.push_back(it->path().string());
        }
        std::sort(files.begin(), files.end());
        out.insert(out.end(), files.begin(), files.end());
    } else {
        out.push_back(path);
    }
}

std::string read_input(const std::string& path) {
    std::istream* in = &std::cin;
    std::ifstream f;
    if (path != "-") {
        f.open(path, std::ios::binary);
        if (!f) throw InputError("cannot open the file");
        in = &f;
    }
    std::string bytes;
    char buf[65536];
    const std::size_t max = 256u << 20;
    while (in->read(buf, sizeof buf) || in->gcount() > 0) {
        bytes.append(buf, static_cast<std::size_t>(in->gcount()));
        if (bytes.size() > max) throw InputError("the file is larger than 256 MiB");
    }
    return bytes;
}

}  // namespace

int run_report_read(const CommonOptions& opts, const OriginalAnalyzer& analyze, std::ostream& out, std::ostream& err) {
    if (opts.format == Format::ar) throw UsageError("--read prints text or json, not ar");
    std::vector<std::string> inputs;
    for (const auto& p : opts.inputs.empty() ? std::vector<std::string>{"-"} : opts.inputs) list_inputs(p, inputs);
    std::shared_ptr<Resolver> dns = analyze ? open_session_dns(opts) : nullptr;
    int status = kExitPass;
    bool first = true;
    for (const auto& file : inputs) {
        try {
            ReportRead r = read_report(read_input(file));
            std::vector<Json> js = report_read_json(r);
            std::string text = report_read_text(r);
            if (analyze && r.feedback && !r.feedback->original.empty()) {
                const FeedbackReport& fb = *r.feedback;
                std::string orig = fb.original;
                if (orig.find("\n\n") == std::string::npos && orig.find("\r\n\r\n") == std::string::npos) orig += "\n";
                try {
                    Message m = Message::parse(orig);
                    RecordingResolver rec(dns);
                    Outcome o = analyze(m, rec, opts);
                    o.json["dns"] = dns_evidence_json(rec.answers());
                    js[0]["analysis"] = o.json;
                    text += "\n  Analysis of the returned message" +
                            std::string(fb.original_kind == "text/rfc822-headers" ? " (header only: no body to verify)" : "") +
                            ":\n" + o.text;
                } catch (const InputError& e) {
                    js[0]["analysis"] = {{"error", e.what()}};
                    text += "\n  The returned message cannot be analysed: " + std::string(e.what()) + "\n";
                }
            }
            if (opts.format == Format::json) {
                for (auto& j : js) {
                    Outcome o;
                    o.json = j;
                    print_outcome(out, Format::json, "report", file, o);
                }
            } else {
                if (!first) out << "\n";
                if (inputs.size() > 1) out << "== " << file << "\n";
                out << text;
            }
            first = false;
        } catch (const InputError& e) {
            print_error(err, "report", file, e.what());
            if (opts.format == Format::json) out << json_line(error_json("report", file, e.what())) << "\n";
            status = worst_exit(status, kExitBadInput);
        }
    }
    if (dns) finish_session_dns(opts, dns);
    return status;
}

}  // namespace auth

// ---- from a sample to a report -----------------------------------------------------------
#include "auth/ar.hpp"
#include "auth/brands.hpp"
#include "auth/explain.hpp"
#include "auth/explain_html.hpp"
#include "auth/html.hpp"
#include "auth/received.hpp"
#include "detail/text.hpp"

namespace auth {
namespace {

using detail::join;

// Our own Authentication-Results for the sample (RFC 8601), as the value after the colon.
std::string our_authentication_results(const AuthSummary& a) {
    std::string f = format_authentication_results("authscope", authentication_clauses(a));
    auto colon = f.find(':');
    std::string v = colon == std::string::npos ? f : f.substr(colon + 1);
    std::string out;
    for (char c : v) {
        if (c == '\r' || c == '\n' || c == '\t') c = ' ';
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// RFC 6591 §3.2 SPF-DNS: "txt : domain : "record"" for the SPF record SPF evaluated.
std::string spf_dns_field(const std::string& domain, Resolver& dns) {
    if (domain.empty()) return {};
    DnsAnswer ans = dns.query(domain, RRType::TXT);
    for (const auto& r : ans.records) {
        std::string t = r.text();
        if (to_lower(t.substr(0, 7)) == "v=spf1 " || to_lower(t) == "v=spf1") {
            std::string d = domain;
            if (!d.empty() && d.back() == '.') d.pop_back();
            return "txt : " + d + " : \"" + t + "\"";
        }
    }
    return {};
}

}  // namespace

ReportAnalysis analyze_for_report(const Message& msg, Resolver& dns, const BrandSet& brands, const ReportOptions& opts) {
    ExplainOptions eo;
    AuthOptions ao = opts.auth;
    ao.dmarc.check_report_destinations = false;
    AuthSummary a = authenticate(msg, dns, ao);
    ExplainReport r = explain(msg, a, brands, eo);
    ReportAnalysis out;
    out.verdict = r.verdict;
    out.verdict_json = explain_json(r);
    out.exit = explain_exit(r);
    out.explained = r;
    ReportDraft& d = out.draft;
    d.to = !opts.to.empty() ? opts.to : r.report_to;
    if (!opts.from.empty()) d.from = opts.from;
    d.date = opts.date;
    d.message_id = opts.message_id;
    d.headers_only = opts.headers_only;
    d.redact = opts.redact;
    d.redact_key = opts.redact_key;
    d.original = msg.bytes();
    d.verdict = r.verdict;
    std::string vt = r.reason.text;
    if (!r.proves.empty()) vt += "\nAuthentication proves: " + join(r.proves, " ");
    if (!r.does_not_prove.empty()) vt += "\nIt does not prove: " + join(r.does_not_prove, " ");
    d.verdict_text = vt;
    for (const auto& f : r.findings) d.findings.push_back({f.id, to_string(f.severity), f.summary, join(f.evidence, "; ")});
    std::vector<std::string> seen;
    for (const auto& i : r.indicators.items) {
        std::string key = i.kind + " " + (i.defanged.empty() ? i.value : i.defanged);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(key);
        d.indicators.push_back(i.kind + ": " + (i.defanged.empty() ? i.value : i.defanged) + (i.where.empty() ? "" : "  (" + i.where + ")"));
    }
    if (!opts.feedback_type.empty()) d.feedback_type = opts.feedback_type;
    else if (r.verdict == "spoofed") d.feedback_type = "auth-failure";
    else if (r.verdict == "authentic-but-abusive") d.feedback_type = "fraud";
    else d.feedback_type = "abuse";

    Envelope env = derive_envelope(msg, {});
    d.source_ip = env.ip.value;
    if (env.have_mail_from) d.original_mail_from = env.mail_from.value.empty() ? "<>" : "<" + env.mail_from.value + ">";
    for (const char* h : {"X-Original-To", "Delivered-To"})
        for (const HeaderField* f : msg.all(h))
            if (std::find(d.original_rcpt_to.begin(), d.original_rcpt_to.end(), f->value) == d.original_rcpt_to.end())
                d.original_rcpt_to.push_back(f->value);
    auto chain = received_chain(msg);
    if (d.original_rcpt_to.empty())
        for (const auto& hop : chain)
            if (!hop.for_addr.empty()) {
                d.original_rcpt_to.push_back(hop.for_addr);
                break;
            }
    if (!chain.empty()) {
        std::string date = chain.front().date;
        auto b = date.find_first_not_of(" \t");
        d.arrival_date = b == std::string::npos ? "" : date.substr(b);
    }
    if (!a.from_domain.empty()) d.reported_domain.push_back(a.from_domain);
    for (const Indicator* i : r.indicators.of("url")) {
        if (d.reported_uri.size() >= 20) break;
        // Reported-URI names what is abused: the brand's own links are not.
        if (r.brand && (r.brand->owns(i->registrable) || r.brand->expected_link(i->registrable))) continue;
        if (!a.org_domain.empty() && i->registrable == a.org_domain) continue;
        if (std::find(d.reported_uri.begin(), d.reported_uri.end(), i->value) == d.reported_uri.end())
            d.reported_uri.push_back(i->value);
    }
    d.authentication_results.push_back(our_authentication_results(a));
    if (d.feedback_type == "auth-failure") {
        // RFC 6591 §3.2: which mechanism failed, and the identities involved.
        const SignatureFacts* sig = nullptr;
        for (const auto& s : a.signatures)
            if (s.result != Result::pass && !sig) sig = &s;
        if (!sig && !a.signatures.empty()) sig = &a.signatures.front();
        if (a.dmarc == Result::fail) d.auth_failure = "dmarc";
        else if (sig && sig->result == Result::fail) d.auth_failure = sig->reason.find("body") != std::string::npos ? "bodyhash" : "signature";
        else if (a.spf == Result::fail || a.spf == Result::softfail) d.auth_failure = "spf";
        else d.auth_failure = "dmarc";
        if (sig) {
            d.dkim_domain = sig->d;
            d.dkim_selector = sig->s;
        }
        d.spf_dns = spf_dns_field(a.spf_domain, dns);
        std::vector<std::string> aligned;
        bool dkim_al = false;
        for (const auto& s : a.signatures) dkim_al = dkim_al || (s.aligned && s.result == Result::pass);
        if (dkim_al) aligned.push_back("dkim");
        if (a.spf_aligned && a.spf == Result::pass) aligned.push_back("spf");
        d.identity_alignment = aligned.empty() ? "none" : join(aligned, ", ");
    }
    return out;
}

Outcome report_sample(const SampleContext& ctx, const BrandSet& brands, const ReportOptions& opts) {
    RecordingResolver rec(std::shared_ptr<Resolver>(&ctx.dns, [](Resolver*) {}));
    ReportAnalysis an = analyze_for_report(ctx.message, rec, brands, opts);
    std::string report = write_feedback_report(an.draft);
    Outcome o;
    o.text = report;
    o.exit = an.exit;
    FeedbackReport back = parse_feedback_report(report);
    Json fields = Json::array();
    for (const auto& [n, v] : back.fields) fields.push_back({{"name", n}, {"value", v}});
    o.json["result"] = an.verdict_json.contains("result") ? an.verdict_json["result"] : Json("none");
    o.json["verdict"] = an.verdict;
    o.json["feedback_type"] = an.draft.feedback_type;
    o.json["to"] = an.draft.to;
    o.json["fields"] = fields;
    o.json["original_kind"] = back.original_kind;
    o.json["findings"] = an.verdict_json.contains("findings") ? an.verdict_json["findings"] : Json::array();
    o.json["report"] = report;
    if (!opts.bundle_dir.empty()) {
        Json v = an.verdict_json;
        std::vector<BundleFile> files = write_bundle(opts.bundle_dir, report, ctx.message.original(), rec.answers(),
                                                     v.dump(2) + "\n", AUTHSCOPE_VERSION, [&](const std::vector<BundleFile>& in) {
                                                         return bundle_index_html(an.explained, ctx.message, in);
                                                     });
        Json bj = Json::array();
        for (const auto& f : files) bj.push_back({{"name", f.name}, {"sha256", f.sha256}, {"size", f.size}});
        o.json["bundle"] = {{"dir", opts.bundle_dir}, {"files", bj}};
        o.text = "Evidence bundle written to " + opts.bundle_dir + ":\n";
        for (const auto& f : files) o.text += "  " + f.sha256 + "  " + f.name + "\n";
        o.text += "Re-check offline: authscope explain --dns-from " + opts.bundle_dir + "/dns.zone " + opts.bundle_dir + "/original.eml\n";
    }
    return o;
}

Outcome analyze_returned_message(const Message& msg, Resolver& dns, const BrandSet& brands) {
    ExplainOptions eo;
    AuthOptions ao;
    ao.dmarc.check_report_destinations = false;
    AuthSummary a = authenticate(msg, dns, ao);
    ExplainReport r = explain(msg, a, brands, eo);
    Outcome o;
    o.json = explain_json(r);
    o.text = explain_text(r, "(returned message)");
    o.exit = explain_exit(r);
    return o;
}

std::string bundle_index_html(const ExplainReport& r, const Message& original, const std::vector<BundleFile>& files) {
    std::string o = html_page_begin("authscope evidence bundle: " + r.verdict);
    o += "<article class=\"sample\"><section><h2>Evidence bundle</h2><p>The files of this folder, as written by "
         "authscope-report. Re-check the verdict offline, months later: <code class=\"cmd\">authscope explain --dns-from "
         "dns.zone original.eml</code></p><table class=\"ind\"><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr>";
    for (const auto& f : files)
        o += "<tr><td><code>" + html_escape(f.name) + "</code></td><td>" + std::to_string(f.size) + "</td><td class=\"v\">" +
             html_escape(f.sha256) + "</td></tr>";
    o += "</table></section></article>\n";
    o += explain_html_section(r, original, "original.eml");
    return o + html_page_end();
}

}  // namespace auth
