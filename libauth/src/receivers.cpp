// Whose recorded results to believe (auth/receivers.hpp): RFC 8601 §5 (only a trusted receiver's
// fields), Exchange Online's id-less fields by the hop that added them, the final receiver.
#include "auth/receivers.hpp"

#include <algorithm>

#include "auth/psl.hpp"

namespace auth {
namespace {

bool ends_with_label(const std::string& host, std::string_view suffix) {
    if (host.size() < suffix.size()) return false;
    if (host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    return host.size() == suffix.size() || host[host.size() - suffix.size() - 1] == '.';
}

std::string clean_host(std::string_view h) {
    std::string s = to_lower(trim(h));
    while (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// True for a name that is an IP literal or not a host name at all (Gmail's "by 2002:a05:...").
bool unnamed(const std::string& h) {
    return h.empty() || h.find('.') == std::string::npos || !normalize_ip(h).empty();
}

// The operator a host belongs to. Big receivers run their service under several registrable
// domains: Exchange Online (outlook.com, office365.com, microsoft.com), Gmail (google.com,
// gmail.com), Proton (protonmail.ch, proton.me, protonmail.com). Any other host: its
// registrable domain (Public Suffix List). "" for an unnamed host.
std::string operator_of(std::string_view host_in) {
    std::string h = clean_host(host_in);
    if (unnamed(h)) return {};
    for (const char* d : {"outlook.com", "office365.com", "microsoft.com", "hotmail.com", "exchangelabs.com"})
        if (ends_with_label(h, d)) return "microsoft";
    for (const char* d : {"google.com", "gmail.com", "googlemail.com"})
        if (ends_with_label(h, d)) return "google";
    for (const char* d : {"protonmail.ch", "proton.me", "protonmail.com", "pm.me"})
        if (ends_with_label(h, d)) return "proton";
    static auto psl = PublicSuffixList::system();
    return organizational_domain_psl(h, *psl);
}

std::string operator_name(const std::string& op, const std::string& host) {
    if (op == "microsoft") return "Exchange Online";
    if (op == "google") return "Gmail";
    if (op == "proton") return "Proton Mail";
    return host;
}

const char* kExchangeHost = "protection.outlook.com";  // how Exchange Online names itself in Received-SPF

struct Layout {
    struct Hop {
        std::size_t position = 0;  // 0-based index among header fields
        ReceivedHop parsed;
    };
    std::vector<Hop> hops;  // top first
    // The field index of the Received nearest below / above position p (npos when none).
    std::size_t below(std::size_t p) const {
        for (std::size_t k = 0; k < hops.size(); ++k)
            if (hops[k].position > p) return k;
        return std::string::npos;
    }
    std::size_t above(std::size_t p) const {
        std::size_t r = std::string::npos;
        for (std::size_t k = 0; k < hops.size(); ++k)
            if (hops[k].position < p) r = k;
        return r;
    }
};

Layout layout_of(const Message& msg) {
    Layout l;
    const auto& hs = msg.headers();
    for (std::size_t i = 0; i < hs.size() && l.hops.size() < 1000; ++i)
        if (iequals(hs[i].name, "Received")) {
            Layout::Hop h;
            h.position = i;
            h.parsed = parse_received(hs[i].value);
            h.parsed.hop = l.hops.size() + 1;
            l.hops.push_back(std::move(h));
        }
    return l;
}

// 1-based index of field i among the fields of its name.
std::size_t index_of(const Message& msg, std::size_t i) {
    const auto& hs = msg.headers();
    std::size_t n = 0;
    for (std::size_t k = 0; k <= i && k < hs.size(); ++k)
        if (iequals(hs[k].name, hs[i].name)) ++n;
    return n;
}

ResultField field_at(const Message& msg, std::size_t i, const std::string& id) {
    return {msg.headers()[i].name, index_of(msg, i), i + 1, id};
}

// The receiver's Received-SPF (RFC 7208 §9.1) between the same two Received fields as position p.
void take_received_spf(const Message& msg, const Layout& l, std::size_t p, ReceiverResults& out) {
    std::size_t up = l.above(p), down = l.below(p);
    std::size_t from = up == std::string::npos ? 0 : l.hops[up].position + 1;
    std::size_t to = down == std::string::npos ? msg.headers().size() : l.hops[down].position;
    // Gmail writes Received, Received-SPF, Authentication-Results: also look one Received further up.
    for (int pass = 0; pass < 2 && !out.received_spf; ++pass) {
        for (std::size_t i = from; i < to; ++i) {
            if (!iequals(msg.headers()[i].name, "Received-SPF")) continue;
            if (auto r = parse_received_spf(msg.headers()[i].value)) {
                out.received_spf = r;
                out.received_spf_field = field_at(msg, i, "");
                break;
            }
        }
        if (up == std::string::npos || up == 0) break;
        to = l.hops[up].position;
        std::size_t up2 = up - 1;
        from = l.hops[up2].position + 1;
    }
}

// Exchange Online's id-less field at position p is its own when the Received right below it was
// added by a Microsoft host (the frontend that accepted the message writes its results right
// above its Received field, Received-SPF between).
bool exchange_hop_added(const Layout& l, std::size_t p, std::size_t* hop) {
    std::size_t k = l.below(p);
    if (k == std::string::npos) return false;
    if (operator_of(l.hops[k].parsed.by) != "microsoft") return false;
    if (hop) *hop = k;
    return true;
}

std::string exchange_why(const Message& msg, const Layout& l, std::size_t k) {
    const ReceivedHop& h = l.hops[k].parsed;
    std::string s = "Exchange Online writes its Authentication-Results without an authserv-id right above the Received "
                    "field of the hop that accepted the message; hop " + std::to_string(h.hop) + " (by " + h.by +
                    (h.from_ip.empty() ? "" : ", from " + h.from_ip) + ") is a Microsoft host";
    if (const HeaderField* src = msg.first("X-MS-Exchange-Organization-AuthSource")) {
        std::string a = clean_host(src->value), b = clean_host(h.by);
        std::string la = a.substr(0, a.find('.')), lb = b.substr(0, b.find('.'));
        if (!la.empty() && la == lb) s += ", the same server X-MS-Exchange-Organization-AuthSource names (" + src->value + ")";
    }
    return s + ".";
}

}  // namespace

ReceiverResults final_receiver_results(const Message& msg) {
    ReceiverResults out;
    const auto& hs = msg.headers();
    Layout l = layout_of(msg);
    if (l.hops.empty()) {
        out.notes.push_back("The message has no Received field: nothing shows which receiver added its results.");
        return out;
    }
    // The receiver: the owner of the topmost named `by` host.
    std::string op;
    std::size_t first_named = 0;
    for (; first_named < l.hops.size(); ++first_named) {
        op = operator_of(l.hops[first_named].parsed.by);
        if (!op.empty()) break;
    }
    if (op.empty()) {
        out.notes.push_back("No Received field names the host that received the message.");
        return out;
    }
    // The receiver's hops: from the top down to the first Received another host added.
    std::size_t boundary = hs.size();  // fields at or below this position were added outside
    for (std::size_t k = first_named + 1; k < l.hops.size(); ++k)
        if (operator_of(l.hops[k].parsed.by) != op) {
            boundary = l.hops[k].position;
            break;
        }
    std::string receiver = operator_name(op, clean_host(l.hops[first_named].parsed.by));
    // The topmost Authentication-Results field the receiver added.
    std::size_t top = std::string::npos, added_by = std::string::npos;
    std::string top_id;
    for (std::size_t i = 0; i < boundary; ++i) {
        if (!iequals(hs[i].name, "Authentication-Results")) continue;
        AuthResults ar = parse_authentication_results(hs[i].value);
        std::size_t k = 0;
        if (!ar.authserv_id.empty()) {
            if (operator_of(ar.authserv_id) != op) {
                out.notes.push_back("Authentication-Results #" + std::to_string(index_of(msg, i)) + " (" + ar.authserv_id +
                                    ") is not " + receiver + "'s: not trusted.");
                continue;
            }
            top = i;
            top_id = ar.authserv_id;
            std::size_t b = l.below(i), a = l.above(i);
            added_by = (b != std::string::npos && l.hops[b].position < boundary) ? b : a;
            out.rule = "authserv-id";
            out.host = ar.authserv_id;
            out.why = "Its authserv-id " + ar.authserv_id + " is " + receiver + "'s, the final receiver (the host of the topmost Received field), and it sits above the first hop " + receiver + " did not add (RFC 8601 §5).";
            break;
        }
        if (op == "microsoft" && exchange_hop_added(l, i, &k) && l.hops[k].position < boundary) {
            top = i;
            added_by = k;
            out.rule = "exchange-online-hop";
            out.host = kExchangeHost;
            out.why = exchange_why(msg, l, k);
            break;
        }
        out.notes.push_back("Authentication-Results #" + std::to_string(index_of(msg, i)) +
                            " has no authserv-id and was not added by a hop of " + receiver + ": not trusted.");
    }
    if (top == std::string::npos) {
        out.notes.push_back("No Authentication-Results field was added by the final receiver (" + receiver + ").");
        out.rule.clear();
        return out;
    }
    out.receiver = receiver;
    if (added_by != std::string::npos) {
        out.hop = l.hops[added_by].parsed.hop;
        out.hop_by = l.hops[added_by].parsed.by;
    }
    // The set: the receiver's fields between the same two Received fields as the topmost one.
    std::size_t up = l.above(top), down = l.below(top);
    std::size_t from = up == std::string::npos ? 0 : l.hops[up].position + 1;
    std::size_t to = std::min(boundary, down == std::string::npos ? hs.size() : l.hops[down].position);
    for (std::size_t i = from; i < to; ++i) {
        if (!iequals(hs[i].name, "Authentication-Results")) continue;
        AuthResults ar = parse_authentication_results(hs[i].value);
        if (!iequals(ar.authserv_id, top_id)) continue;
        out.fields.push_back(field_at(msg, i, ar.authserv_id));
        out.results.push_back(std::move(ar));
    }
    take_received_spf(msg, l, top, out);
    return out;
}

ReceiverResults named_receiver_results(const Message& msg, std::string_view id_in) {
    ReceiverResults out;
    std::string id = clean_host(id_in);
    const auto& hs = msg.headers();
    for (std::size_t i = 0; i < hs.size(); ++i) {
        if (!iequals(hs[i].name, "Authentication-Results")) continue;
        AuthResults ar = parse_authentication_results(hs[i].value);
        if (!iequals(ar.authserv_id, id)) continue;
        out.fields.push_back(field_at(msg, i, ar.authserv_id));
        out.results.push_back(std::move(ar));
    }
    if (!out.fields.empty()) {
        out.host = id;
        out.receiver = id.empty() ? "(fields without an authserv-id)" : id;
        out.rule = "authserv-id";
        out.why = id.empty() ? "--trust-ar \"\": every Authentication-Results field without an authserv-id is trusted, wherever it is."
                             : "--trust-ar " + id + ": every Authentication-Results field of that authserv-id is trusted (RFC 8601 §5).";
        Layout l = layout_of(msg);
        take_received_spf(msg, l, out.fields.front().position - 1, out);
        return out;
    }
    // Exchange Online by name: its id-less fields, by the hop that added them.
    if (!id.empty() && operator_of(id) == "microsoft") {
        ReceiverResults f = final_receiver_results(msg);
        if (f.found() && f.rule == "exchange-online-hop") {
            f.why = "--trust-ar " + id + ": " + f.why;
            return f;
        }
        // Not the final receiver, but a Microsoft hop may still have added results lower down.
        Layout l = layout_of(msg);
        for (std::size_t i = 0; i < hs.size(); ++i) {
            if (!iequals(hs[i].name, "Authentication-Results")) continue;
            AuthResults ar = parse_authentication_results(hs[i].value);
            std::size_t k = 0;
            if (!ar.authserv_id.empty() || !exchange_hop_added(l, i, &k)) continue;
            out.fields.push_back(field_at(msg, i, ""));
            out.results.push_back(std::move(ar));
            out.host = kExchangeHost;
            out.receiver = "Exchange Online";
            out.rule = "exchange-online-hop";
            out.hop = l.hops[k].parsed.hop;
            out.hop_by = l.hops[k].parsed.by;
            out.why = "--trust-ar " + id + ": " + exchange_why(msg, l, k);
            take_received_spf(msg, l, i, out);
            break;
        }
    }
    return out;
}

std::vector<std::string> receiver_domains(const ReceiverResults& r) {
    std::string h = clean_host(r.hop_by.empty() ? r.host : r.hop_by);
    std::string op = operator_of(h);
    if (op == "microsoft") return {"outlook.com", "office365.com"};
    if (op == "google") return {"google.com"};
    if (op == "proton") return {"protonmail.ch", "proton.me"};
    if (op.empty()) return {};
    return {op};
}

// Microsoft, "Anti-spam message headers in Microsoft 365" (Authentication-results fields):
// compauth=pass|fail|softpass|none with a reason code.
std::string compauth_meaning(std::string_view result, std::string_view reason) {
    std::string r(trim(reason));
    std::string base;
    if (result == "pass") base = "Exchange Online's composite authentication passed";
    else if (result == "fail") base = "Exchange Online's composite authentication failed: it judged the From address spoofed";
    else if (result == "softpass") base = "Exchange Online's composite authentication soft-passed";
    else if (result == "none") base = "Exchange Online did not apply composite authentication";
    else base = "Exchange Online's composite authentication gave " + std::string(result);
    std::string why;
    if (r == "000") why = "DMARC failed and the From domain publishes p=quarantine or p=reject (explicit failure)";
    else if (r == "001") why = "the From domain does not authenticate and publishes no strict policy (implicit failure)";
    else if (r == "002") why = "the organisation's own policy forbids this sender and domain pair";
    else if (r == "010") why = "DMARC failed with p=quarantine or p=reject for a domain of the recipient's own organisation";
    else if (r == "130") why = "an ARC chain it trusts overrode a DMARC failure";
    else if (r.size() == 3 && r[0] == '1') why = "the message passed explicit (SPF, DKIM, DMARC) or implicit authentication";
    else if (r.size() == 3 && r[0] == '2') why = "the message soft-passed implicit authentication";
    else if (r.size() == 3 && r[0] == '3') why = "the message was not checked for composite authentication";
    else if (r.size() == 3 && (r[0] == '4' || r[0] == '9')) why = "the message bypassed composite authentication";
    else if (r.size() == 3 && r[0] == '6') why = "implicit authentication failed for a domain of the recipient's own organisation";
    else if (r.size() == 3 && r[0] == '7') why = "implicit authentication passed for a domain of the recipient's own organisation";
    if (!r.empty()) return base + " (reason " + r + (why.empty() ? "" : ": " + why) + ").";
    return base + ".";
}

std::string dmarc_action_meaning(std::string_view a) {
    std::string s = to_lower(a);
    if (s == "none") return "no DMARC action was taken";
    if (s == "quarantine") return "DMARC failed and the message was quarantined (junk) by the domain's policy";
    if (s == "reject") return "DMARC failed and the domain's policy said reject";
    if (s == "pct.quarantine") return "DMARC failed under p=quarantine with pct= below 100, and the message fell outside the sampled share";
    if (s == "pct.reject") return "DMARC failed under p=reject with pct= below 100, and the message fell outside the sampled share";
    if (s == "oreject" || s == "o.reject") return "DMARC failed under p=reject, and Exchange Online overrode the reject (delivered as junk instead)";
    if (s == "oquarantine" || s == "o.quarantine") return "DMARC failed under p=quarantine, and the receiver overrode the policy";
    return {};
}

}  // namespace auth
