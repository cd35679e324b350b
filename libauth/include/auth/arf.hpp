// Reading feedback reports: ARF (RFC 5965), authentication failure reports (RFC 6591) and
// DMARC failure reports (RFC 9991, RFC 7489 §7.3), plus the plain-text failure reports some
// MTAs send without a machine-readable part.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace auth {

struct FeedbackReport {
    std::string format;                  // "arf", or "plain-text" for a report without message/feedback-report
    // The report message itself.
    std::string report_from, report_to, report_subject, report_date;
    std::string human_readable;          // the first text part (RFC 5965 §2 item b)
    // Every field of the message/feedback-report part, in order (names as written, values unfolded).
    std::vector<std::pair<std::string, std::string>> fields;
    // RFC 5965 §3.1 and §3.2.
    std::string feedback_type;           // abuse, fraud, virus, other, not-spam, auth-failure (lower case)
    std::string user_agent;
    std::optional<int> version;
    std::optional<std::string> original_envelope_id, original_mail_from, arrival_date, reporting_mta, source_ip;
    std::optional<long long> arrival_date_epoch;  // Arrival-Date (or the older Received-Date) as Unix time
    std::optional<std::uint32_t> incidents;
    std::optional<std::uint16_t> source_port;     // RFC 6692
    std::vector<std::string> original_rcpt_to, authentication_results, reported_domain, reported_uri,
        removal_recipient;
    // RFC 6591 §3.1 and §3.2 (authentication failures), RFC 9991.
    std::optional<std::string> auth_failure, delivery_result, dkim_adsp_dns, dkim_canonicalized_body,
        dkim_canonicalized_header, dkim_domain, dkim_identity, dkim_selector, dkim_selector_dns, spf_dns,
        identity_alignment;
    // The returned message (RFC 5965 §2 item c): whole (message/rfc822) or its header only
    // (text/rfc822-headers).
    std::string original_kind;           // "message/rfc822", "text/rfc822-headers" or "" when absent
    std::string original;                // exactly as carried in the report
    std::vector<std::string> warnings;   // missing required fields and other oddities
};

// Limits against hostile reports.
struct FeedbackLimits {
    std::size_t max_report_bytes = 64u << 20;
    std::size_t max_fields = 1000;
};

// Parses a feedback report message. RFC 5965 §2-3, RFC 6591 §3, RFC 9991. Throws InputError
// with a plain reason when the message is not a feedback report.
FeedbackReport parse_feedback_report(const std::string& message, const FeedbackLimits& limits = {});

// True when the message is a multipart/report or carries a message/feedback-report part.
bool looks_like_feedback_report(const std::string& message);

// Every field, the parsed values and the original message's headers summary, as JSON.
nlohmann::ordered_json feedback_json(const FeedbackReport& r);

// The readable summary: what is reported, about whom, from where, and why.
std::string feedback_text(const FeedbackReport& r);

// Parses the fields of a message/feedback-report body (RFC 5965 §3: RFC 5322 header syntax).
std::vector<std::pair<std::string, std::string>> parse_report_fields(const std::string& body, std::size_t max_fields = 1000);

}  // namespace auth
