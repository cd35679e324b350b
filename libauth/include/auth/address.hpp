// RFC 5322 address lists (From, Sender, Reply-To ...): mailboxes, display names, group syntax,
// quoted local parts, comments; RFC 2047 encoded words in display names; IDN domains as A-labels.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

// One mailbox (RFC 5322 §3.4).
struct Mailbox {
    std::string display_name;  // decoded (RFC 2047 words decoded to UTF-8, quotes removed), may be empty
    std::string local_part;    // as written (quotes kept when it was a quoted-string)
    std::string domain;        // as written (U-labels kept; a domain-literal keeps its brackets)
    std::string domain_ascii;  // lower-case A-labels (IDNA2008, libidn2); empty when the domain is
                               // not a valid host name (domain literal, bad IDN): see domain_error
    std::string domain_error;  // why domain_ascii is empty
    std::string group;         // name of the group it was listed in, else empty
    std::string address() const { return local_part + "@" + domain; }
};

// The result of reading one address-list field.
struct AddressList {
    std::vector<Mailbox> mailboxes;
    std::vector<std::string> groups;    // group names seen, in order (including empty groups)
    std::vector<std::string> warnings;  // tolerated deviations, one sentence each
    std::string error;                  // empty when the field was read; else what is wrong
    bool ok() const { return error.empty(); }
};

// Parses an address-list (RFC 5322 §3.4, with the §4.4 obsolete forms a reader must accept).
// Tolerated with a warning: a group without its closing ';', a display name before a bare
// addr-spec ("Name joe@example.com"). Never throws.
AddressList parse_address_list(std::string_view value);

// Decodes RFC 2047 encoded words (=?charset?B|Q?...?=) in a phrase to UTF-8; whitespace between
// adjacent encoded words is dropped (§6.2). Unknown charsets or bad encodings are kept as written.
std::string decode_encoded_words(std::string_view text);

// A domain as lower-case A-labels (IDNA2008 via libidn2, RFC 5891 §5), without a trailing dot.
// ASCII names are only lower-cased. Returns nullopt and sets *error for a name that is not a
// valid host name (empty label, label over 63 octets, bad IDN ...).
std::optional<std::string> domain_to_ascii(std::string_view domain, std::string* error = nullptr);

}  // namespace auth
