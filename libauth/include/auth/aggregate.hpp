// DMARC aggregate reports (RFC 7489 appendix C, RFC 9990): reading the XML, plain or
// compressed (gzip, zip) or attached to an e-mail, and summarising who sends as the domain.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace auth {

using OptString = std::optional<std::string>;

struct AggregateDkim {          // RFC 9990 DKIMAuthResultType
    std::string domain;
    OptString selector;
    std::string result;          // none, pass, fail, policy, neutral, temperror, permerror
    OptString human_result;
};

struct AggregateSpf {           // RFC 9990 SPFAuthResultType
    std::string domain;
    OptString scope;             // helo, mfrom (RFC 7489)
    std::string result;          // none, neutral, pass, fail, softfail, temperror, permerror
    OptString human_result;
};

struct AggregateReason {        // PolicyOverrideReason
    std::string type;            // forwarded, sampled_out, trusted_forwarder, mailing_list, local_policy, other, ...
    OptString comment;
};

struct AggregateExtension {
    std::string name;
    OptString definition;
};

struct AggregateRecord {
    std::string source_ip;
    std::uint64_t count = 0;
    std::string disposition;     // none, quarantine, reject (RFC 9990 adds pass)
    std::string dkim;            // policy_evaluated: the aligned DKIM result, pass or fail
    std::string spf;             // policy_evaluated: the aligned SPF result, pass or fail
    std::vector<AggregateReason> reasons;
    OptString envelope_to;
    OptString envelope_from;
    std::string header_from;
    std::vector<AggregateDkim> dkim_results;
    std::vector<AggregateSpf> spf_results;
    std::vector<AggregateExtension> extensions;
    bool dmarc_pass() const { return dkim == "pass" || spf == "pass"; }
};

struct AggregateReport {
    std::string source;          // the file or archive member it came from
    OptString version;
    // report_metadata
    std::string org_name, email, report_id;
    OptString extra_contact_info, generator;
    std::int64_t begin = 0, end = 0;
    std::vector<std::string> errors;
    // policy_published
    std::string domain;
    OptString version_published, adkim, aspf, p, sp, np, pct, fo, discovery_method;
    std::optional<bool> testing;
    std::vector<AggregateRecord> records;
    std::vector<AggregateExtension> extensions;
    std::vector<std::string> warnings;   // oddities that did not stop the reading, one sentence each
};

// Limits against hostile input (a report over them is an InputError).
struct AggregateLimits {
    std::size_t max_xml_bytes = 64u << 20;        // one XML document, decompressed
    std::size_t max_archive_bytes = 64u << 20;    // all members of an archive, decompressed
    std::size_t max_records = 1000000;
};

// Parses one aggregate report XML document. Refuses DTDs/entities (XXE). RFC 7489 appendix C,
// RFC 9990 §3 and appendix A. Throws InputError with a plain reason.
AggregateReport parse_aggregate_xml(const std::string& xml, const AggregateLimits& limits = {});

// Reads whatever holds aggregate reports: XML, gzip, zip, or an e-mail with such attachments
// (RFC 7489 §7.2.1.1). Returns every report found, in order. Throws InputError when none.
std::vector<AggregateReport> read_aggregate(const std::string& bytes, const AggregateLimits& limits = {});

// True when the bytes look like an aggregate report container (XML or compressed), not an e-mail.
bool looks_like_aggregate(const std::string& bytes);

// JSON for one report: metadata, policy, every record, and a per-source-IP summary with the
// senders that fail DMARC ("failing_sources").
nlohmann::ordered_json aggregate_json(const AggregateReport& r);

// The readable form: the report in a few lines, a table per source IP, then the failing senders.
std::string aggregate_text(const AggregateReport& r);

}  // namespace auth
