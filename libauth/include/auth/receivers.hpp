// Whose recorded results to believe: the Authentication-Results fields (RFC 8601) a receiver added,
// found by authserv-id (RFC 8601 §5) or, for Exchange Online's fields without one, by the hop that
// added them; and the final receiver of a message (`--trust-ar auto`). Rules: README "Decisions".
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authres.hpp"
#include "auth/message.hpp"
#include "auth/received.hpp"

namespace auth {

// One header field results were read from.
struct ResultField {
    std::string name;            // "Authentication-Results", "Received-SPF", ...
    std::size_t index = 0;       // 1-based among the fields of that name, top first
    std::size_t position = 0;    // 1-based among all header fields, top first
    std::string authserv_id;     // "" for Exchange Online's fields (and Received-SPF)
};

// The results one receiver recorded, and why they are taken as that receiver's.
struct ReceiverResults {
    std::string host;            // the authserv-id; "protection.outlook.com" for Exchange Online's id-less fields
    std::string receiver;        // who that is in words: "Exchange Online", "Gmail", "Proton Mail", or the host
    std::string rule;            // "authserv-id" (RFC 8601 §5) or "exchange-online-hop" (added by a Microsoft hop)
    std::string why;             // one sentence: which hop added them and why they are trusted
    std::size_t hop = 0;         // the Received hop (1-based, top first) that added them; 0 when unknown
    std::string hop_by;          // that hop's `by` host
    std::vector<ResultField> fields;          // the Authentication-Results fields trusted, top first
    std::vector<AuthResults> results;         // parallel to fields
    std::optional<ResultField> received_spf_field;  // the receiver's Received-SPF, when it added one
    std::optional<ReceivedSpf> received_spf;
    std::vector<std::string> notes;           // fields seen and not trusted, unreadable parts
    bool found() const { return !fields.empty(); }
};

// The final receiver's results (`--trust-ar auto`): the topmost set of Authentication-Results
// fields added by the receiver where the message entered the recipient's domain. The receiver is
// the owner of the topmost Received field's `by` host; its hops are the Received fields from the top
// down to the first one another host added. A field below that boundary is never taken. A field with
// an authserv-id is the receiver's when the id is one of the receiver's names; a field without one
// is Exchange Online's when the receiver is Exchange Online and the Received field right below it was
// added by a Microsoft host. Empty (found() false) when no such field exists; `notes` says why.
ReceiverResults final_receiver_results(const Message& msg);

// The fields of a named receiver (`--trust-ar ID`): every Authentication-Results field whose
// authserv-id is `id` (case-insensitive, wherever it is: the user vouches for that receiver); ""
// selects the fields without one. For protection.outlook.com, outlook.com or a Microsoft host name,
// Exchange Online's id-less fields added by its own hop (the rule of final_receiver_results).
ReceiverResults named_receiver_results(const Message& msg, std::string_view id);

// The domains of the receiver that added `r` (outlook.com and office365.com for Exchange Online,
// else the registrable domain of the adding hop's host), as trusted hosts for derive_envelope().
std::vector<std::string> receiver_domains(const ReceiverResults& r);

// Exchange Online's composite authentication (compauth=) and reason= code, and action=, in words
// (Microsoft's "Anti-spam message headers" documentation); "" when unknown.
std::string compauth_meaning(std::string_view result, std::string_view reason);
std::string dmarc_action_meaning(std::string_view action);

}  // namespace auth
