// Feedback report reader: RFC 5965 (ARF), RFC 6591 (authentication failure reports),
// RFC 9991 (DMARC failure reports).
#include "auth/arf.hpp"

#include <sstream>

#include "auth/error.hpp"
#include "auth/message.hpp"
#include "detail/archive_mime.hpp"

namespace auth {
namespace {

using Json = nlohmann::ordered_json;

// Removes RFC 5322 §3.2.2 comments: "192.0.2.1 (mx.example)" -> "192.0.2.1".
std::string strip_comments(const std::string& v) {
    std::string out;
    int depth = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (c == '\\' && i + 1 < v.size() && depth) { ++i; continue; }
        if (c == '(') { ++depth; continue; }
        if (c == ')' && depth) { --depth; continue; }
        if (!depth) out += c;
    }
    return trim(out);
}

Json opt_json(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

// The header section of a (possibly headers-only) message, parsed; nullopt when unreadable.
std::optional<Message> parse_original(const std::string& bytes) {
    try {
        std::string b = bytes;
        bool has_blank = b.find("\n\n") != std::string::npos || b.find("\r\n\r\n") != std::string::npos;
        if (!has_blank) b += (b.find("\r\n") != std::string::npos ? "\r\n" : "\n");
        return Message::parse(b);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// RFC 5322 §2.1 lines end in CRLF; a report saved with bare CR line ends (old Mac style) would
// otherwise be one long line to the MIME reader. Returns true when most line ends were bare CRs
// and `out` holds the text with each bare CR made CRLF.
bool bare_cr_to_crlf(const std::string& in, std::string& out) {
    std::size_t bare = 0, lf = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\n') ++lf;
        else if (in[i] == '\r' && (i + 1 == in.size() || in[i + 1] != '\n')) ++bare;
    }
    if (bare == 0 || bare <= lf) return false;
    out.clear();
    out.reserve(in.size() + bare);
    for (std::size_t i = 0; i < in.size(); ++i) {
        out += in[i];
        if (in[i] == '\r' && (i + 1 == in.size() || in[i + 1] != '\n')) out += '\n';
    }
    return true;
}

std::string first_value(const Message& m, const char* name) {
    const HeaderField* f = m.first(name);
    return f ? f->value : std::string{};
}

// The Exim "DMARC Forensic Report" without an ARF part: "  Key: value" lines, then the
// headers after "------ This is a copy of the headers".
bool read_plain_text_report(const std::string& text, FeedbackReport& r) {
    std::istringstream in(text);
    std::string line;
    std::vector<std::pair<std::string, std::string>> kv;
    std::string headers;
    bool in_headers = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (in_headers) {
            headers += line + "\n";
            continue;
        }
        if (line.rfind("------ This is a copy of the headers", 0) == 0 || line.rfind("------ This is a copy of the message", 0) == 0) {
            in_headers = true;
            continue;
        }
        auto colon = line.find(": ");
        if (line.size() > 2 && (line[0] == ' ' || line[0] == '\t') && colon != std::string::npos)
            kv.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 2)));
    }
    bool dmarc = false;
    for (const auto& [k, v] : kv) {
        std::string key = to_lower(k);
        if (key == "sender domain") { r.reported_domain.push_back(v); dmarc = true; }
        else if (key == "sender ip address") r.source_ip = v;
        else if (key == "received date") r.arrival_date = v;
    }
    if (!dmarc) return false;
    r.format = "plain-text";
    r.fields = kv;
    r.feedback_type = "auth-failure";
    r.auth_failure = "dmarc";
    if (!headers.empty()) {
        r.original_kind = "text/rfc822-headers";
        r.original = headers;
    }
    r.warnings.push_back("This failure report has no machine-readable message/feedback-report part (RFC 6591); its fields were read from the plain text.");
    return true;
}

void apply_fields(FeedbackReport& r) {
    for (const auto& [name, value] : r.fields) {
        std::string n = to_lower(name);
        const std::string& v = value;
        if (n == "feedback-type") r.feedback_type = to_lower(v);
        else if (n == "user-agent") r.user_agent = v;
        else if (n == "version") {
            try {
                std::size_t used = 0;
                int ver = std::stoi(v, &used);
                if (used != v.size() && v.substr(used).find_first_not_of(".0") == std::string::npos)
                    r.warnings.push_back("The Version field is \"" + v + "\"; RFC 5965 §3.1 writes it as the integer 1.");
                else if (used != v.size())
                    throw std::invalid_argument(v);
                r.version = ver;
            } catch (const std::exception&) {
                r.warnings.push_back("The Version field \"" + v + "\" is not a number (RFC 5965 §3.1 wants 1).");
            }
        } else if (n == "original-envelope-id") r.original_envelope_id = v;
        else if (n == "original-mail-from") r.original_mail_from = v;
        else if (n == "original-rcpt-to") r.original_rcpt_to.push_back(v);
        else if (n == "arrival-date" || (n == "received-date" && !r.arrival_date)) r.arrival_date = v;
        else if (n == "reporting-mta") {
            auto semi = v.find(';');
            r.reporting_mta = trim(semi == std::string::npos ? v : v.substr(semi + 1));
        } else if (n == "source-ip") r.source_ip = strip_comments(v);
        else if (n == "incidents") {
            try { r.incidents = static_cast<std::uint32_t>(std::stoul(v)); } catch (const std::exception&) {
                r.warnings.push_back("The Incidents field \"" + v + "\" is not a number.");
            }
        } else if (n == "source-port") {
            try {
                unsigned long p = std::stoul(v);
                if (p > 65535) throw std::out_of_range(v);
                r.source_port = static_cast<std::uint16_t>(p);
            } catch (const std::exception&) {
                r.warnings.push_back("The Source-Port field \"" + v + "\" is not a port number.");
            }
        } else if (n == "authentication-results") r.authentication_results.push_back(v);
        else if (n == "reported-domain") r.reported_domain.push_back(v);
        else if (n == "reported-uri") r.reported_uri.push_back(v);
        else if (n == "removal-recipient") r.removal_recipient.push_back(v);
        else if (n == "auth-failure") r.auth_failure = to_lower(v);
        else if (n == "delivery-result") r.delivery_result = to_lower(v);
        else if (n == "dkim-adsp-dns") r.dkim_adsp_dns = v;
        else if (n == "dkim-canonicalized-body") r.dkim_canonicalized_body = v;
        else if (n == "dkim-canonicalized-header") r.dkim_canonicalized_header = v;
        else if (n == "dkim-domain") r.dkim_domain = v;
        else if (n == "dkim-identity") r.dkim_identity = v;
        else if (n == "dkim-selector") r.dkim_selector = v;
        else if (n == "dkim-selector-dns") r.dkim_selector_dns = v;
        else if (n == "spf-dns") r.spf_dns = v;
        else if (n == "identity-alignment") r.identity_alignment = to_lower(v);
    }
    if (r.feedback_type.empty()) r.warnings.push_back("The report has no Feedback-Type field (required, RFC 5965 §3.1).");
    if (r.user_agent.empty()) r.warnings.push_back("The report has no User-Agent field (required, RFC 5965 §3.1).");
    if (!r.version) r.warnings.push_back("The report has no valid Version field (required, RFC 5965 §3.1).");
    if (r.feedback_type == "auth-failure" && !r.auth_failure)
        r.warnings.push_back("An auth-failure report has no Auth-Failure field (required, RFC 6591 §3.2).");
    if (r.arrival_date) {
        r.arrival_date_epoch = detail::parse_mail_date(*r.arrival_date);
        if (!r.arrival_date_epoch) r.warnings.push_back("The arrival date \"" + *r.arrival_date + "\" is not an RFC 5322 date.");
    }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_report_fields(const std::string& body, std::size_t max_fields) {
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if ((line[0] == ' ' || line[0] == '\t')) {
            // RFC 5322 §2.2.3 unfolding: the line break goes, the white space stays.
            if (!out.empty()) out.back().second += line;
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0) continue;  // not a field: ignored, as §3.1 allows no such line
        std::string name = trim(line.substr(0, colon));
        if (name.find(' ') != std::string::npos) continue;
        if (out.size() >= max_fields) throw InputError("the feedback report has more than " + std::to_string(max_fields) + " fields");
        out.emplace_back(name, line.substr(colon + 1));
    }
    for (auto& f : out) f.second = trim(f.second);
    return out;
}

bool looks_like_feedback_report(const std::string& message) {
    std::string head = to_lower(message.substr(0, std::min<std::size_t>(message.size(), 1u << 20)));
    return head.find("multipart/report") != std::string::npos || head.find("message/feedback-report") != std::string::npos;
}

FeedbackReport parse_feedback_report(const std::string& given, const FeedbackLimits& limits) {
    if (given.empty()) throw InputError("the report is empty");
    if (given.size() > limits.max_report_bytes) throw InputError("the report is larger than the limit");
    FeedbackReport r;
    r.format = "arf";
    std::string converted;
    const bool bare_cr = bare_cr_to_crlf(given, converted);
    const std::string& message = bare_cr ? converted : given;
    if (bare_cr) r.warnings.push_back("The report has bare CR line ends; they were read as CRLF (RFC 5322 §2.1).");
    if (auto top = parse_original(message)) {
        r.report_from = first_value(*top, "From");
        r.report_to = first_value(*top, "To");
        r.report_subject = first_value(*top, "Subject");
        r.report_date = first_value(*top, "Date");
    }
    auto parts = detail::mime_parts(message);
    const detail::MimePart* feedback = nullptr;
    const detail::MimePart* human = nullptr;
    const detail::MimePart* original = nullptr;
    for (const auto& p : parts) {
        const std::string& t = p.content_type;
        if (t == "message/feedback-report" && !feedback) feedback = &p;
        else if ((t == "text/plain") && !human && !feedback && !original) human = &p;
        else if ((t == "message/rfc822" || t == "message/global" || t == "text/rfc822-headers" ||
                  t == "text/rfc822-header" || t == "message/rfc822-headers" || t == "message/global-headers") &&
                 !original && p.depth > 0)
            original = &p;
    }
    // RFC 6522 registers text/rfc822-headers; some reporters (and RFC 6533's own text) drop the "s".
    if (original && original->content_type == "text/rfc822-header")
        r.warnings.push_back("The returned header is labelled text/rfc822-header; it was read as text/rfc822-headers "
                             "(RFC 6522, RFC 5965 §2 item c).");
    if (human) r.human_readable = human->bytes;
    if (!feedback) {
        if (human && read_plain_text_report(human->bytes, r)) return r;
        if (!parts.empty() && parts[0].content_type == "multipart/report") {
            std::string rt = to_lower(detail::mime_param(parts[0], "report-type"));
            if (rt == "tlsrpt")
                throw InputError("this is an SMTP TLS report (RFC 8460, report-type=tlsrpt), not a DMARC or ARF report; authscope does not read it");
            if (rt != "feedback-report")
                throw InputError("this multipart/report has report-type=" + (rt.empty() ? std::string("(none)") : rt) +
                                 ", not feedback-report: not an ARF report (RFC 5965 §2)");
        }
        throw InputError("not a feedback report: no message/feedback-report part (RFC 5965 §2)");
    }
    if (!parts.empty() && parts[0].content_type == "multipart/report") {
        std::string rt = to_lower(detail::mime_param(parts[0], "report-type"));
        if (rt != "feedback-report")
            r.warnings.push_back("The multipart/report has report-type \"" + rt + "\", not feedback-report (RFC 5965 §2).");
    } else {
        r.warnings.push_back("The message is not a multipart/report (RFC 5965 §2 requires one).");
    }
    r.fields = parse_report_fields(feedback->bytes, limits.max_fields);
    apply_fields(r);
    if (original) {
        r.original_kind = original->content_type == "message/rfc822" || original->content_type == "message/global"
                              ? "message/rfc822"
                              : "text/rfc822-headers";
        r.original = original->bytes;
        // Keep the returned message byte for byte when it is carried unencoded (GMime's
        // re-serialisation may change line ends), so DKIM can verify it (--analyze).
        if (original->child_index >= 0 && !parts.empty()) {
            std::string hdr;
            auto exact = detail::multipart_child_body(message, detail::mime_param(parts[0], "boundary"),
                                                      original->child_index, &hdr);
            std::string h = to_lower(hdr);
            bool encoded = h.find("content-transfer-encoding") != std::string::npos &&
                           (h.find("base64") != std::string::npos || h.find("quoted-printable") != std::string::npos);
            if (exact && !encoded && !exact->empty()) r.original = *exact;
        }
    } else {
        r.warnings.push_back("The report does not include the original message or its header (RFC 5965 §2 item c).");
    }
    return r;
}

Json feedback_json(const FeedbackReport& r) {
    Json j;
    j["report"] = r.format == "arf" ? "feedback" : "feedback-plain-text";
    j["feedback_type"] = r.feedback_type;
    j["user_agent"] = r.user_agent;
    j["version"] = r.version ? Json(*r.version) : Json(nullptr);
    j["original_envelope_id"] = opt_json(r.original_envelope_id);
    j["original_mail_from"] = opt_json(r.original_mail_from);
    j["original_rcpt_to"] = r.original_rcpt_to;
    j["arrival_date"] = opt_json(r.arrival_date);
    j["arrival_date_epoch"] = r.arrival_date_epoch ? Json(*r.arrival_date_epoch) : Json(nullptr);
    j["reporting_mta"] = opt_json(r.reporting_mta);
    j["source_ip"] = opt_json(r.source_ip);
    j["source_port"] = r.source_port ? Json(*r.source_port) : Json(nullptr);
    j["incidents"] = r.incidents ? Json(*r.incidents) : Json(nullptr);
    j["authentication_results"] = r.authentication_results;
    j["reported_domain"] = r.reported_domain;
    j["reported_uri"] = r.reported_uri;
    j["removal_recipient"] = r.removal_recipient;
    j["auth_failure"] = opt_json(r.auth_failure);
    j["delivery_result"] = opt_json(r.delivery_result);
    j["dkim_domain"] = opt_json(r.dkim_domain);
    j["dkim_identity"] = opt_json(r.dkim_identity);
    j["dkim_selector"] = opt_json(r.dkim_selector);
    j["dkim_selector_dns"] = opt_json(r.dkim_selector_dns);
    j["dkim_adsp_dns"] = opt_json(r.dkim_adsp_dns);
    j["dkim_canonicalized_header"] = opt_json(r.dkim_canonicalized_header);
    j["dkim_canonicalized_body"] = opt_json(r.dkim_canonicalized_body);
    j["spf_dns"] = opt_json(r.spf_dns);
    j["identity_alignment"] = opt_json(r.identity_alignment);
    Json fields = Json::array();
    for (const auto& [n, v] : r.fields) fields.push_back({{"name", n}, {"value", v}});
    j["fields"] = fields;
    j["report_message"] = {{"from", r.report_from}, {"to", r.report_to}, {"subject", r.report_subject}, {"date", r.report_date}};
    j["human_readable"] = r.human_readable;
    Json orig = nullptr;
    if (!r.original_kind.empty()) {
        orig = Json::object();
        orig["kind"] = r.original_kind;
        orig["size"] = r.original.size();
        if (auto m = parse_original(r.original)) {
            orig["from"] = first_value(*m, "From");
            orig["to"] = first_value(*m, "To");
            orig["subject"] = first_value(*m, "Subject");
            orig["date"] = first_value(*m, "Date");
            const std::string id = first_value(*m, "Message-ID");
            orig["message_id"] = id.empty() ? Json(nullptr) : Json(id);
        }
        orig["content"] = r.original;
    }
    j["original"] = orig;
    j["warnings"] = r.warnings;
    return j;
}

std::string feedback_text(const FeedbackReport& r) {
    std::ostringstream o;
    std::string kind = r.feedback_type.empty() ? "feedback" : r.feedback_type;
    o << (r.format == "arf" ? "Feedback report (ARF)" : "Failure report (plain text, no ARF part)") << ": " << kind;
    if (r.auth_failure) o << " (" << *r.auth_failure << ")";
    o << "\n";
    if (!r.user_agent.empty()) o << "  from " << r.user_agent << (r.report_from.empty() ? "" : " via " + r.report_from) << "\n";
    auto line = [&](const char* label, const std::optional<std::string>& v) {
        if (v && !v->empty()) o << "  " << label << ": " << *v << "\n";
    };
    auto lines = [&](const char* label, const std::vector<std::string>& v) {
        for (const auto& x : v) o << "  " << label << ": " << x << "\n";
    };
    line("Source IP", r.source_ip);
    line("Arrival date", r.arrival_date);
    line("Reporting MTA", r.reporting_mta);
    line("Mail from", r.original_mail_from);
    lines("Rcpt to", r.original_rcpt_to);
    lines("Reported domain", r.reported_domain);
    lines("Reported URI", r.reported_uri);
    line("Delivery result", r.delivery_result);
    line("DKIM domain", r.dkim_domain);
    line("DKIM selector", r.dkim_selector);
    line("DKIM identity", r.dkim_identity);
    line("SPF DNS", r.spf_dns);
    line("Identity alignment", r.identity_alignment);
    lines("Authentication-Results", r.authentication_results);
    if (r.incidents && *r.incidents != 1) o << "  Incidents: " << *r.incidents << "\n";
    if (!r.original_kind.empty()) {
        o << "  Original (" << r.original_kind << ", " << r.original.size() << " bytes)";
        if (auto m = parse_original(r.original)) {
            std::string from = first_value(*m, "From"), subj = first_value(*m, "Subject");
            if (!from.empty()) o << " from " << from;
            if (!subj.empty()) o << ", subject \"" << subj << "\"";
        }
        o << "\n";
    }
    for (const auto& w : r.warnings) o << "  warning: " << w << "\n";
    return o.str();
}

}  // namespace auth
