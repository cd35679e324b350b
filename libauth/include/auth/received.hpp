// The trace header fields: the Received chain (RFC 5321 §4.4, RFC 5322 §3.6.7), the SMTP envelope
// derived from it (client IP, HELO, MAIL FROM, each with the header and hop it came from) and
// Received-SPF (RFC 7208 §9.1).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/message.hpp"
#include "auth/result.hpp"

namespace auth {

// One Received field, its clauses as far as they could be read. Formats of many MTAs are read:
// Postfix, Exim, Sendmail, qmail, Microsoft 365, Gmail; IPv6 literals as [IPv6:...] or bare.
struct ReceivedHop {
    std::size_t hop = 0;        // 1-based, top of the message (last hop) first
    std::size_t line = 0;       // line of the field in the sample
    std::string from_helo;      // the name the client gave (HELO/EHLO), as written
    std::string from_rdns;      // reverse DNS name the receiver reported, if any
    std::string from_ip;        // the client's IP literal (normalised text), if any
    std::string by;             // the receiving host
    std::string with;           // protocol (ESMTPS, SMTP, "Microsoft SMTP Server" ...)
    std::string id;
    std::string for_addr;
    std::string date;           // after the last ';'
    std::string value;          // the unfolded field value
};

// Parses one Received field value. Never throws; unknown text leaves fields empty.
ReceivedHop parse_received(std::string_view value);

// Every Received field of the message, top first, at most 1000.
std::vector<ReceivedHop> received_chain(const Message& msg);

// A derived value and where it came from.
struct Sourced {
    std::string value;
    std::string header;       // "Received", "Return-Path", "flag", "postmaster@HELO" ...
    std::size_t hop = 0;      // the Received hop (1-based) or the field index; 0 when not from a header
    std::string note;         // one sentence on how it was chosen
    bool known() const { return !value.empty() || header == "Return-Path"; }
};

struct Envelope {
    Sourced ip;
    Sourced helo;
    Sourced mail_from;        // value "" with header Return-Path: the null sender <>
    bool have_mail_from = false;
    std::size_t entry_hop = 0;  // the hop where mail entered the receiver (0: none found)
};

// Chooses the hop where the mail entered the receiver's domain and takes the client IP and HELO
// from it; Return-Path gives MAIL FROM. With trusted hosts (host names or domains of the
// receiver), the entry hop is the first Received from the top whose `by` is trusted and whose
// `from` is not; without them, the topmost Received with a public IP literal in its from clause.
Envelope derive_envelope(const Message& msg, const std::vector<std::string>& trusted_hosts);

// True for an address that is not globally routable (RFC 1918, loopback, link-local, CGNAT,
// ULA, documentation ranges are *not* excluded: fixtures use them).
bool is_private_ip(std::string_view ip);

// Normalises an IP literal ("[IPv6:2001:db8::1]", "1.2.3.4") to its text form; "" if not an IP.
std::string normalize_ip(std::string_view text);

// One Received-SPF field (RFC 7208 §9.1): result word, comment and key=value pairs.
struct ReceivedSpf {
    Result result = Result::none;
    std::string comment;
    std::string client_ip;
    std::string helo;
    std::string envelope_from;
    std::string receiver;
    std::string identity;
    std::string mechanism;
    std::string problem;
};

// Parses a Received-SPF field value; nullopt when it does not start with a result word.
std::optional<ReceivedSpf> parse_received_spf(std::string_view value);

}  // namespace auth
