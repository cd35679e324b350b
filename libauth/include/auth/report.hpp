// `authscope report`: reading any report (ARF / failure / aggregate) and writing ARF abuse and
// authentication-failure reports (RFC 5965, RFC 6591, RFC 6590) with an evidence bundle.
#pragma once
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/aggregate.hpp"
#include "auth/authenticate.hpp"
#include "auth/arf.hpp"
#include "auth/dns.hpp"
#include "auth/explain.hpp"

namespace auth {

// ---- reading ---------------------------------------------------------------------------

// What one input held: a feedback report, or one or more aggregate reports.
struct ReportRead {
    std::optional<FeedbackReport> feedback;
    std::vector<AggregateReport> aggregates;
};

// Reads one input of any kind: XML/gzip/zip aggregate reports, an e-mail carrying them, an ARF
// or DMARC failure report. Throws InputError with a plain reason when it is none of these.
ReportRead read_report(const std::string& bytes);

// The JSON objects and the text for what one input held (one object per report).
std::vector<nlohmann::ordered_json> report_read_json(const ReportRead& r);
std::string report_read_text(const ReportRead& r);

// ---- writing ---------------------------------------------------------------------------

struct ReportFinding {
    std::string id, severity, summary, evidence;
};

// Everything a feedback report says. Strings left empty are not written.
struct ReportDraft {
    // The report message (RFC 5965 §2).
    std::string to;                      // the abuse desk
    std::string from = "authscope <authscope@localhost>";
    std::string subject;                 // default: "Abuse report: <original subject>"
    std::string date;                    // RFC 5322 date; default: now
    std::string message_id;              // default: generated
    std::string boundary;                // default: derived from the original's SHA-256
    // The human-readable part: the verdict and findings in plain words.
    std::string verdict;                 // e.g. "spoofed", "authentic-but-abusive", or a DMARC result
    std::string verdict_text;            // one or two sentences
    std::vector<ReportFinding> findings;
    std::vector<std::string> indicators; // defanged, one per line ("url: hxxps://evil[.]example/")
    // The message/feedback-report part (RFC 5965 §3, RFC 6591 §3).
    std::string feedback_type = "abuse"; // abuse, fraud, auth-failure, other, virus, not-spam
    std::string user_agent;              // default: "authscope/<version>"
    std::string original_mail_from;
    std::vector<std::string> original_rcpt_to;
    std::string arrival_date;
    std::string source_ip;
    std::vector<std::string> reported_domain, reported_uri;
    std::vector<std::string> authentication_results;
    std::string auth_failure;            // RFC 6591 §3.2: adsp, bodyhash, revoked, signature, spf, dmarc
    std::string dkim_domain, dkim_identity, dkim_selector, spf_dns, identity_alignment;
    std::string delivery_result;
    // The returned message (RFC 5965 §2 item c).
    std::string original;                // exact bytes of the sample
    bool headers_only = false;           // text/rfc822-headers instead of message/rfc822
    std::vector<std::string> redact;     // addresses to redact (RFC 6590)
    std::string redact_key;              // HMAC key for the redaction tokens; default: random
};

// Writes the multipart/report; report-type=feedback-report message (RFC 5965 §2, §3; RFC 6591
// §3; RFC 6590 redaction). CRLF line ends, 7bit/8bit as the original needs.
std::string write_feedback_report(const ReportDraft& d);

// RFC 6590 §4: every occurrence of each address (case-insensitive) becomes
// "<token>@<domain>", the token an HMAC-SHA256 of the local-part under `key`.
std::string redact_addresses(const std::string& text, const std::vector<std::string>& addrs, const std::string& key);

// ---- from a sample to a report ----------------------------------------------------------

class BrandSet;

struct ReportOptions {
    std::string to, from;
    std::string feedback_type;           // "" = from the verdict: spoofed -> auth-failure,
                                         // authentic-but-abusive -> fraud, otherwise abuse
    bool headers_only = false;
    std::vector<std::string> redact;
    std::string redact_key;              // --redact-key: same tokens across reports; default random
    std::string date, message_id;        // fixed values for reproducible output (tests)
    std::string bundle_dir;              // --bundle DIR: also write the evidence bundle there
    AuthOptions auth;                    // --trust-ar, --rfc7489 ...: how authenticate() gets the facts
};

// What a sample's report rests on: the draft, explain's verdict (JSON) and the exit status.
struct ReportAnalysis {
    ReportDraft draft;
    std::string verdict;                 // explain's verdict word
    nlohmann::ordered_json verdict_json; // explain_json()
    int exit = 0;                        // explain_exit()
    ExplainReport explained;             // explain() itself (the bundle's index.html)
};

// Runs explain (SPF, DKIM, DMARC and the findings) over the sample with `dns` and fills every
// RFC 5965 / RFC 6591 field the analysis knows: envelope from the Received chain and Return-Path,
// Authentication-Results of our own checks, DKIM-Domain/Selector of the failing (or first)
// signature, SPF-DNS from the SPF record asked for, Identity-Alignment, reported domain and URIs.
ReportAnalysis analyze_for_report(const Message& msg, Resolver& dns, const BrandSet& brands, const ReportOptions& opts);

// ---- the evidence bundle ---------------------------------------------------------------

struct BundleFile {
    std::string name;
    std::string sha256;   // lower-case hex
    std::size_t size = 0;
};

// Writes DIR/report.eml, DIR/original.eml (byte for byte), DIR/dns.zone (the snapshot of every
// answer used), DIR/verdict.json, with index_page DIR/index.html (made from the files before it),
// and DIR/manifest.json and DIR/SHA256SUMS (SHA-256 of each file and the tool version).
// Creates DIR; refuses to overwrite a non-empty one (UsageError).
std::vector<BundleFile> write_bundle(const std::string& dir, const std::string& report, const std::string& original,
                                     const std::vector<DnsAnswer>& answers, const std::string& verdict_json,
                                     const std::string& tool_version,
                                     const std::function<std::string(const std::vector<BundleFile>&)>& index_page = {});

// The bundle's index.html: explain's inert page (auth/explain_html.hpp) of the original, after a
// list of the bundle's files with their SHA-256 and how to re-check the verdict offline.
std::string bundle_index_html(const ExplainReport& r, const Message& original, const std::vector<BundleFile>& files);

// Lower-case hex SHA-256 of bytes (OpenSSL).
std::string sha256_hex(const std::string& bytes);

}  // namespace auth
