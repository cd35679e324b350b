#include "auth/arc.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "auth/dkim_key.hpp"
#include "detail/text.hpp"

namespace auth {

namespace {

using detail::join;
using detail::parse_digits;
using detail::printable;

constexpr std::size_t kMaxArcFields = 3 * kArcMaxInstances + 30;  // more is hostile: fail before any work

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

Reason syntax(std::string text) { return Reason{"signature-syntax", std::move(text)}; }


// RFC 8617 §4.2.1: instance = 1*2DIGIT, 1..50.
std::optional<unsigned> instance_value(std::string_view v) {
    auto n = parse_digits(v, 2);
    if (!n || *n < 1 || *n > kArcMaxInstances) return std::nullopt;
    return static_cast<unsigned>(*n);
}

// A d= or s= (RFC 6376 §3.5), no trailing dot.
bool valid_dns_name(std::string_view n) { return detail::valid_dns_name(n, false); }

// The tags shared by both signatures (RFC 6376 §3.5 as RFC 8617 §4.1.2/§4.1.3 use them).
std::optional<Reason> common_tags(const DkimTagList& list, ArcSignature& s, const char* field) {
    const std::string f = field;
    for (const auto& t : list.tags) {
        if (t.name == "a") s.a = trim(t.value);
        else if (t.name == "b") s.b = strip_whitespace(t.value);
        else if (t.name == "d") s.d = trim(t.value);
        else if (t.name == "s") s.s = trim(t.value);
    }
    const DkimTag* i = list.find("i");
    if (!i) return syntax("The " + f + " has no i= tag (RFC 8617 §4.2.1).");
    auto inst = instance_value(i->value);
    if (!inst) return syntax("The " + f + "'s i=" + printable(i->value) + " is not an instance from 1 to 50 (RFC 8617 §4.2.1).");
    s.instance = *inst;
    for (const char* req : {"a", "b", "d", "s"})
        if (!list.find(req)) return syntax("The " + f + " has no " + req + "= tag.");
    if (const DkimTag* t = list.find("t")) {
        s.t = parse_digits(t->value, 12);
        if (!s.t) return syntax("The " + f + "'s t=" + printable(t->value) + " is not a timestamp (RFC 6376 §3.5).");
    }
    if (!valid_dns_name(s.d)) return syntax("The " + f + "'s d= (\"" + printable(s.d) + "\") is not a domain name.");
    if (!valid_dns_name(s.s)) return syntax("The " + f + "'s s= (\"" + printable(s.s) + "\") is not a selector.");
    if (s.b.empty() || !valid_base64(s.b)) return syntax("The " + f + "'s b= is empty or not base64.");
    // RFC 8617 §4.1.2/§4.1.3 take a= from DKIM; rsa-sha1 is not acceptable (RFC 8301 §3.1).
    if (s.a != "rsa-sha256" && s.a != "ed25519-sha256")
        return Reason{"unsupported-algorithm", "The " + f + "'s algorithm a=" + printable(s.a) +
                                                   " is not one we verify (rsa-sha256, ed25519-sha256)."};
    return std::nullopt;
}

std::string_view value_of(const HeaderField& f) {
    auto colon = f.raw.find(':');
    return colon == std::string::npos ? std::string_view() : std::string_view(f.raw).substr(colon + 1);
}

// ---- canonicalisation (RFC 6376 §3.4) ----

// Bare LF -> CRLF (RFC 5322 §2.1); `converted` is set when there was one.
std::string to_crlf(std::string_view s, bool& converted) {
    std::string out;
    out.reserve(s.size() + s.size() / 32);
    for (std::size_t k = 0; k < s.size(); ++k) {
        if (s[k] == '\n' && (k == 0 || s[k - 1] != '\r')) {
            out += '\r';
            converted = true;
        }
        out += s[k];
    }
    return out;
}

// §3.4.2 relaxed header: name lower case, unfolded, WSP runs as one SP, no WSP around the colon
// or at the end. `raw` is the whole field; the result has no line break.
std::string relaxed_header(std::string_view raw) {
    auto colon = raw.find(':');
    std::string name(raw.substr(0, colon == std::string_view::npos ? raw.size() : colon));
    while (!name.empty() && is_wsp(name.back())) name.pop_back();
    std::string out = to_lower(name) + ":";
    if (colon == std::string_view::npos) return out;
    std::string_view v = raw.substr(colon + 1);
    bool space = false;
    bool started = false;
    for (char c : v) {
        if (c == '\r' || c == '\n') continue;
        if (is_wsp(c)) {
            space = true;
            continue;
        }
        if (space && started) out += ' ';
        space = false;
        started = true;
        out += c;
    }
    return out;
}

// §3.4.1 simple header: the field as it is (with CRLF line ends).
std::string simple_header(std::string_view raw) {
    bool ignored = false;
    return to_crlf(raw, ignored);
}

std::string canon_header(std::string_view raw, const std::string& canon) {
    return canon == "relaxed" ? relaxed_header(raw) : simple_header(raw);
}

// §3.4.3 simple body: trailing empty lines removed, exactly one CRLF at the end ("\r\n" when empty).
std::string simple_body(std::string_view body) {
    std::string b(body);
    while (b.size() >= 2 && b.compare(b.size() - 2, 2, "\r\n") == 0) b.resize(b.size() - 2);
    b += "\r\n";
    return b;
}

// §3.4.4 relaxed body: WSP at line ends removed, WSP runs as one SP, trailing empty lines
// removed; a non-empty body ends in CRLF, an empty one stays empty.
std::string relaxed_body(std::string_view body) {
    std::string out;
    out.reserve(body.size());
    std::size_t pending_empty = 0;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find("\r\n", pos);
        const bool has_crlf = end != std::string_view::npos;
        if (!has_crlf) end = body.size();
        std::string_view line = body.substr(pos, end - pos);
        std::string l;
        l.reserve(line.size());
        bool space = false;
        for (char c : line) {
            if (is_wsp(c)) {
                space = true;
                continue;
            }
            if (space) l += ' ';
            space = false;
            l += c;
        }
        if (l.empty()) {
            ++pending_empty;
        } else {
            for (; pending_empty; --pending_empty) out += "\r\n";
            out += l;
            out += "\r\n";
        }
        pos = has_crlf ? end + 2 : body.size();
    }
    return out;
}

// The field with the value of its b= tag removed (RFC 6376 §3.7: "b=" stays, its value goes).
std::string without_b_value(std::string_view raw) {
    auto colon = raw.find(':');
    if (colon == std::string_view::npos) return std::string(raw);
    std::size_t pos = colon + 1;
    while (pos < raw.size()) {
        std::size_t k = pos;
        while (k < raw.size() && (is_wsp(raw[k]) || raw[k] == '\r' || raw[k] == '\n')) ++k;
        std::size_t name_start = k;
        while (k < raw.size() && (std::isalnum(static_cast<unsigned char>(raw[k])) || raw[k] == '_')) ++k;
        std::string_view name = raw.substr(name_start, k - name_start);
        while (k < raw.size() && (is_wsp(raw[k]) || raw[k] == '\r' || raw[k] == '\n')) ++k;
        std::size_t semi = raw.find(';', k);
        if (semi == std::string_view::npos) semi = raw.size();
        if (name == "b" && k < raw.size() && raw[k] == '=') {
            std::string out(raw.substr(0, k + 1));
            out += raw.substr(semi);
            return out;
        }
        pos = semi + 1;
    }
    return std::string(raw);
}

// ---- cryptography (OpenSSL EVP) ----

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// An incremental SHA-256 (OpenSSL EVP), copyable, so a seal's hash can extend the previous one.
class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new()) { ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1; }
    Sha256(const Sha256& o) : ctx_(EVP_MD_CTX_new()) { ok_ = o.ok_ && ctx_ && EVP_MD_CTX_copy_ex(ctx_.get(), o.ctx_.get()) == 1; }
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view d) { ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), d.data(), d.size()) == 1; }
    std::optional<std::string> final() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), md, &n) != 1) return std::nullopt;
        return std::string(reinterpret_cast<char*>(md), n);
    }

private:
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx_;
    bool ok_ = false;
};

struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

// Verifies `sig` over data whose SHA-256 is `digest`: RSA PKCS#1 v1.5 with SHA-256 (RFC 6376
// §3.3.1), or Ed25519 over the SHA-256 itself (RFC 8463 §3). Working from the digest keeps the
// seals' hashing linear in the number of sets.
bool verify_digest(const DkimKeyRecord& key, const std::string& algorithm, const std::string& digest, const std::string& sig) {
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey;
    if (algorithm == "ed25519-sha256") {
        if (key.public_key.size() != 32) return false;
        pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(key.public_key.data()), 32));
        if (!pkey) return false;
        std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
        return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(key.spki_der.data());
    pkey.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(key.spki_der.size())));
    if (!pkey) return false;
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1)
        return false;
    return EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                           reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
}

// ---- keys ----

struct KeyLookup {
    ArcKeyEvidence evidence;
    std::optional<DkimKeyRecord> key;
    std::optional<Verdict> error;  // why there is no usable key
};

class Keys {
public:
    explicit Keys(Resolver& dns) : dns_(dns) {}
    // The key for d=/s= (RFC 6376 §3.6.2), checked against the signature's algorithm (§3.6.1).
    const KeyLookup& get(const std::string& d, const std::string& s, const std::string& algorithm) {
        const std::string name = fqdn(s + "._domainkey." + d);
        auto it = cache_.find(name + " " + algorithm);
        if (it != cache_.end()) return it->second;
        return cache_.emplace(name + " " + algorithm, lookup(name, algorithm)).first->second;
    }

private:
    KeyLookup lookup(const std::string& name, const std::string& algorithm) {
        KeyLookup out;
        out.evidence.name = name;
        const std::string shown = name.substr(0, name.size() - 1);
        DnsAnswer a = dns_.query(name, RRType::TXT);
        out.evidence.dns = to_string(a.status);
        auto fail = [&](Result r, const char* code, std::string text) {
            out.error = Verdict{r, Reason{code, std::move(text)}};
            return out;
        };
        if (a.status == DnsStatus::ok && a.records.empty()) a.status = DnsStatus::nodata;
        if (a.status == DnsStatus::nxdomain || a.status == DnsStatus::nodata)
            return fail(Result::permerror, "key-not-found",
                        "No key record at " + shown + " (" + (a.status == DnsStatus::nxdomain ? "NXDOMAIN" : "no TXT record") + ").");
        if (a.status != DnsStatus::ok)
            return fail(Result::temperror, "dns-temperror", "The key query for " + shown + " failed temporarily (" +
                                                                to_string(a.status) + (a.detail.empty() ? "" : ": " + a.detail) + ").");
        // RFC 6376 §3.6.2.2: with several records the verifier may pick one; we take the first usable.
        std::optional<DkimKeyParse> chosen;
        for (const auto& rec : a.records) {
            DkimKeyParse p = parse_dkim_key(rec.text());
            if (!chosen || (!chosen->ok() && p.ok())) chosen = std::move(p);
        }
        const DkimKeyRecord& key = chosen->record;
        out.evidence.type = key.key_type;
        out.evidence.bits = key.key_bits;
        if (!chosen->ok()) return fail(Result::permerror, chosen->error->code.c_str(), "Key record at " + shown + ": " + chosen->error->text);
        if (key.revoked)
            return fail(Result::permerror, "key-revoked", "The key record at " + shown + " has an empty p=: the key has been revoked.");
        if (!key.for_email())
            return fail(Result::permerror, "key-not-for-email", "The key record at " + shown + " is not for email (s=" + join(key.services, ":") + ").");
        const std::string want_type = algorithm.substr(0, algorithm.find('-'));
        if (key.key_type != want_type)
            return fail(Result::permerror, "key-type-mismatch", "The signature uses a=" + algorithm + " but the key at " + shown + " is k=" + key.key_type + ".");
        if (!key.allows_hash("sha256"))
            return fail(Result::permerror, "key-hash-mismatch", "The key at " + shown + " allows only h=" + join(key.hashes, ":") + ", not sha256.");
        if (key.key_type == "rsa" && key.key_bits < 1024)
            return fail(Result::fail, "weak-key", "The RSA key at " + shown + " has " + std::to_string(key.key_bits) +
                                                      " bits; keys under 1024 bits are not accepted (RFC 8301 §3.2).");
        out.key = key;
        return out;
    }

    Resolver& dns_;
    std::map<std::string, KeyLookup> cache_;
};

// The fields of the message, each with its CRLF form, for hashing.
struct Field {
    const HeaderField* f;
    std::string raw;  // CRLF line ends
};

// One ARC set as collected from the message.
struct SetFields {
    std::vector<const Field*> seal, ams, aar;
    ArcSignatureParse seal_parse, ams_parse;
    ArcAuthResultsParse aar_parse;
};

Verdict pass_verdict(const std::string& what) { return Verdict{Result::pass, Reason{"verified", what + " verifies."}}; }

}  // namespace

// RFC 8617 §4.1.3: ARC-Seal tags.
ArcSignatureParse parse_arc_seal(std::string_view value) {
    ArcSignatureParse out;
    ArcSignature& s = out.sig;
    s.c = "relaxed/relaxed";
    s.header_canon = "relaxed";
    DkimTagList list = parse_dkim_tag_list(value);
    for (const auto& t : list.tags) {
        if (t.name == "cv") s.cv = trim(t.value);
        else if (t.name == "i") {
            if (auto n = instance_value(t.value)) s.instance = *n;
        }
    }
    auto fail = [&](Reason r) {
        out.error = std::move(r);
        return out;
    };
    if (!list.ok()) return fail(syntax("The ARC-Seal is not a valid tag list: " + list.error + "."));
    if (auto e = common_tags(list, s, "ARC-Seal")) return fail(*e);
    if (!list.find("cv")) return fail(syntax("The ARC-Seal has no cv= tag (RFC 8617 §4.1.3)."));
    if (s.cv != "none" && s.cv != "pass" && s.cv != "fail")
        return fail(syntax("The ARC-Seal's cv=" + printable(s.cv) + " is not none, pass or fail (RFC 8617 §4.1.3)."));
    // §4.1.3: the seal covers whole ARC sets; an h= tag is not allowed.
    if (list.find("h")) return fail(syntax("The ARC-Seal has an h= tag, which RFC 8617 §4.1.3 does not allow."));
    return out;
}

// RFC 8617 §4.1.2: ARC-Message-Signature tags (DKIM-Signature's, i= the instance).
ArcSignatureParse parse_arc_message_signature(std::string_view value) {
    ArcSignatureParse out;
    ArcSignature& s = out.sig;
    // Without c=, relaxed/relaxed: what the ARC drafts prescribed, the ValiMail suite expects
    // (ams_fields_c_na) and dkimpy does; RFC 6376 §3.5 alone would give simple/simple.
    s.c = "relaxed/relaxed";
    DkimTagList list = parse_dkim_tag_list(value);
    for (const auto& t : list.tags) {
        if (t.name == "i") {
            if (auto n = instance_value(t.value)) s.instance = *n;
        } else if (t.name == "bh") s.bh = strip_whitespace(t.value);
        else if (t.name == "c") s.c = strip_whitespace(t.value);
        else if (t.name == "h") {
            for (auto& name : detail::colon_list(t.value, false)) s.h.push_back(std::move(name));  // "h=", "a::b": nothing to sign there
        }
    }
    auto fail = [&](Reason r) {
        out.error = std::move(r);
        return out;
    };
    if (!list.ok()) return fail(syntax("The ARC-Message-Signature is not a valid tag list: " + list.error + "."));
    if (auto e = common_tags(list, s, "ARC-Message-Signature")) return fail(*e);
    for (const char* req : {"bh", "h"})
        if (!list.find(req)) return fail(syntax(std::string("The ARC-Message-Signature has no ") + req + "= tag."));
    if (s.bh.empty() || !valid_base64(s.bh)) return fail(syntax("The ARC-Message-Signature's bh= is empty or not base64."));
    {
        auto slash = s.c.find('/');
        s.header_canon = s.c.substr(0, slash);
        s.body_canon = slash == std::string::npos ? "simple" : s.c.substr(slash + 1);
        auto ok = [](const std::string& x) { return x == "simple" || x == "relaxed"; };
        if (!ok(s.header_canon) || !ok(s.body_canon))
            return fail(syntax("The ARC-Message-Signature's c=" + printable(s.c) + " is not simple or relaxed (RFC 6376 §3.5)."));
    }
    for (const auto& name : s.h) {
        bool good = true;
        for (unsigned char ch : name) good = good && ch > 0x20 && ch < 0x7f;
        if (!good) return fail(syntax("The ARC-Message-Signature's h= lists an invalid field name (\"" + printable(name) + "\")."));
        // §4.1.2: ARC-Seal fields are never in the AMS's scope.
        if (iequals(name, "ARC-Seal"))
            return fail(syntax("The ARC-Message-Signature signs ARC-Seal, which RFC 8617 §4.1.2 forbids."));
    }
    for (const char* tag : {"x", "l"}) {
        if (const DkimTag* t = list.find(tag)) {
            auto n = parse_digits(t->value, tag[0] == 'l' ? 76 : 12);
            if (!n) return fail(syntax(std::string("The ARC-Message-Signature's ") + tag + "= is not a number."));
            (tag[0] == 'x' ? s.x : s.l) = n;
        }
    }
    return out;
}

// RFC 8617 §4.1.1: "i=" instance ";" then the RFC 8601 payload (authserv-id; results).
ArcAuthResultsParse parse_arc_authentication_results(std::string_view value) {
    ArcAuthResultsParse out;
    std::size_t k = 0;
    auto skip_ws = [&] {
        while (k < value.size() && (is_wsp(value[k]) || value[k] == '\r' || value[k] == '\n')) ++k;
    };
    skip_ws();
    auto bad = [&](std::string text) {
        out.error = Reason{"arc-syntax", std::move(text)};
        return out;
    };
    if (k + 1 >= value.size() || value[k] != 'i') return bad("The ARC-Authentication-Results does not begin with i= (RFC 8617 §4.1.1).");
    ++k;
    skip_ws();
    if (k >= value.size() || value[k] != '=') return bad("The ARC-Authentication-Results does not begin with i= (RFC 8617 §4.1.1).");
    ++k;
    skip_ws();
    std::size_t start = k;
    while (k < value.size() && std::isdigit(static_cast<unsigned char>(value[k]))) ++k;
    auto inst = instance_value(value.substr(start, k - start));
    if (!inst) return bad("The ARC-Authentication-Results' i=" + printable(value.substr(start, k - start + 1)) + " is not an instance from 1 to 50.");
    out.instance = *inst;
    skip_ws();
    if (k >= value.size() || value[k] != ';')
        return bad("The ARC-Authentication-Results' i=" + std::to_string(*inst) + " is not followed by \";\" (RFC 8617 §4.1.1).");
    out.results = parse_authentication_results(value.substr(k + 1));
    return out;
}

// RFC 8617 §5.2 (validator actions) over §5.1.1/§5.1.2 (what the seal and the AMS sign).
ArcReport verify_arc(const Message& msg, Resolver& dns) {
    ArcReport rep;
    auto finish = [&](const char* cv, Result r, std::string code, std::string text) {
        rep.cv = cv;
        rep.verdict = Verdict{r, Reason{std::move(code), std::move(text)}};
        return rep;
    };

    // Every field in CRLF form (hashing needs it); ARC fields noted.
    std::vector<Field> fields;
    fields.reserve(msg.headers().size());
    std::size_t arc_count = 0;
    for (const auto& h : msg.headers()) {
        fields.push_back(Field{&h, to_crlf(h.raw, rep.bare_lf_converted)});
        if (iequals(h.name, "ARC-Seal") || iequals(h.name, "ARC-Message-Signature") || iequals(h.name, "ARC-Authentication-Results"))
            ++arc_count;
    }
    // §5.2 step 1: no ARC sets, cv=none.
    if (arc_count == 0) return finish("none", Result::none, "no-arc-sets", "The message has no ARC sets.");
    if (arc_count > kMaxArcFields)
        return finish("fail", Result::fail, "too-many-sets", "The message has " + std::to_string(arc_count) +
                                                                  " ARC header fields, more than 50 sets can hold (RFC 8617 §4.2.1).");

    // Collect by instance; a field whose instance cannot be read makes the chain invalid (§5.1.1).
    std::map<unsigned, SetFields> sets;
    std::optional<Reason> syntax_error;
    auto note_syntax = [&](const Reason& r, const HeaderField& f) {
        if (!syntax_error) syntax_error = Reason{"arc-syntax", "Line " + std::to_string(f.line) + ": " + r.text};
    };
    for (const auto& fd : fields) {
        const HeaderField& f = *fd.f;
        std::string_view v = value_of(f);
        const bool seal = iequals(f.name, "ARC-Seal");
        if (seal || iequals(f.name, "ARC-Message-Signature")) {
            ArcSignatureParse p = seal ? parse_arc_seal(v) : parse_arc_message_signature(v);
            if (p.sig.instance == 0) {
                note_syntax(p.error ? *p.error : syntax(std::string("The ") + (seal ? "ARC-Seal" : "ARC-Message-Signature") + " has no readable i=."), f);
                continue;
            }
            SetFields& s = sets[p.sig.instance];
            auto& seen = seal ? s.seal : s.ams;
            seen.push_back(&fd);
            if (seen.size() == 1) (seal ? s.seal_parse : s.ams_parse) = std::move(p);
        } else if (iequals(f.name, "ARC-Authentication-Results")) {
            ArcAuthResultsParse p = parse_arc_authentication_results(v);
            if (!p.ok()) {
                note_syntax(*p.error, f);
                continue;
            }
            SetFields& s = sets[p.instance];
            s.aar.push_back(&fd);
            if (s.aar.size() == 1) s.aar_parse = std::move(p);
        }
    }
    const unsigned n = sets.empty() ? 0 : sets.rbegin()->first;
    for (unsigned i = 1; i <= n; ++i) {
        ArcHop hop;
        hop.instance = i;
        auto it = sets.find(i);
        if (it != sets.end()) {
            const SetFields& s = it->second;
            if (!s.seal.empty()) {
                hop.has_seal = true;
                hop.seal_line = s.seal.front()->f->line;
                hop.sealer = s.seal_parse.sig.d;
                hop.selector = s.seal_parse.sig.s;
                hop.cv = s.seal_parse.sig.cv;
                hop.seal_t = s.seal_parse.sig.t;
            }
            if (!s.ams.empty()) {
                hop.has_ams = true;
                hop.ams_line = s.ams.front()->f->line;
                hop.ams_domain = s.ams_parse.sig.d;
                hop.ams_selector = s.ams_parse.sig.s;
                hop.ams_c = s.ams_parse.sig.c;
                hop.ams_h = s.ams_parse.sig.h;
            }
            if (!s.aar.empty()) {
                hop.has_aar = true;
                hop.aar_ok = true;
                hop.aar_line = s.aar.front()->f->line;
                hop.aar = s.aar_parse.results;
            }
        }
        const Reason not_evaluated{"not-evaluated", "Not verified: the chain's structure is invalid."};
        hop.seal = Verdict{Result::none, not_evaluated};
        hop.ams = Verdict{Result::none, not_evaluated};
        rep.hops.push_back(std::move(hop));
    }
    if (syntax_error) {
        rep.broken_at = n ? std::optional<unsigned>(n) : std::nullopt;
        return finish("fail", Result::fail, syntax_error->code, syntax_error->text);
    }
    // §5.2 step 2: the newest seal recorded a failed chain.
    {
        const SetFields& top = sets.rbegin()->second;
        if (!top.seal.empty() && top.seal_parse.sig.cv == "fail") {
            rep.broken_at = n;
            return finish("fail", Result::fail, "cv-fail-recorded",
                          "The newest ARC-Seal (i=" + std::to_string(n) + ", d=" + top.seal_parse.sig.d +
                              ") records cv=fail: the chain was already broken when it reached that hop (RFC 8617 §5.2).");
        }
    }
    // §5.2 step 3 / §5.1.1: exactly one of each field per set, instances 1..N without gaps,
    // cv=none at i=1 and cv=pass above.
    for (unsigned i = 1; i <= n; ++i) {
        auto it = sets.find(i);
        auto broken = [&](const char* code, std::string text) {
            rep.broken_at = i;
            return finish("fail", Result::fail, code, std::move(text));
        };
        const std::string at = "ARC set i=" + std::to_string(i);
        if (it == sets.end()) return broken("structure", "The chain has no " + at + " (instances must run 1.." + std::to_string(n) + " without gaps, RFC 8617 §5.1.1).");
        const SetFields& s = it->second;
        for (auto [list, name] : {std::pair{&s.aar, "ARC-Authentication-Results"}, std::pair{&s.ams, "ARC-Message-Signature"},
                                  std::pair{&s.seal, "ARC-Seal"}}) {
            if (list->empty()) return broken("structure", "The " + at + " has no " + name + " (RFC 8617 §5.1.1).");
            if (list->size() > 1) return broken("structure", "The " + at + " has " + std::to_string(list->size()) + " " + name + " fields; a set has exactly one (RFC 8617 §5.1.1).");
        }
        if (s.seal_parse.ok()) {
            const std::string& cv = s.seal_parse.sig.cv;
            if (i == 1 && cv != "none") return broken("cv-invalid", "The first ARC-Seal (i=1) says cv=" + cv + "; it must say cv=none (RFC 8617 §5.1.1).");
            if (i > 1 && cv != "pass") return broken("cv-invalid", "The ARC-Seal i=" + std::to_string(i) + " says cv=" + cv + "; every seal after the first must say cv=pass (RFC 8617 §5.1.1).");
        }
    }

    // The signatures. Every AMS and every seal is checked (for the report) within a budget; cv
    // follows §5.2. The newest AMS is always checked, the older ones (only for oldest-pass) while
    // the bytes they hash stay within kOptionalHashBudget: a hostile message cannot make the work
    // grow with the square of its size.
    constexpr std::size_t kOptionalHashBudget = 64u << 20;
    std::size_t optional_hashed = 0;
    Keys keys(dns);
    bool body_converted = false;
    std::optional<std::string> body;
    std::map<std::string, std::string> canon_bodies;  // by canonicalisation: at most two
    std::map<std::pair<std::string, std::optional<std::uint64_t>>, std::optional<std::string>> body_hashes;
    auto body_hash = [&](const ArcSignature& a, Verdict& problem, std::size_t& hashed) -> std::optional<std::string> {
        if (!body) body = to_crlf(msg.body(), body_converted);
        auto cb = canon_bodies.find(a.body_canon);
        if (cb == canon_bodies.end())
            cb = canon_bodies.emplace(a.body_canon, a.body_canon == "relaxed" ? relaxed_body(*body) : simple_body(*body)).first;
        const std::string& canon = cb->second;
        auto key = std::make_pair(a.body_canon, a.l);
        auto it = body_hashes.find(key);
        if (it == body_hashes.end()) {
            std::optional<std::string> h;
            if (!a.l || *a.l <= canon.size()) {
                Sha256 sha;
                sha.update(std::string_view(canon).substr(0, a.l ? static_cast<std::size_t>(*a.l) : canon.size()));
                h = sha.final();
                hashed += canon.size();
            }
            it = body_hashes.emplace(key, h).first;
        }
        if (!it->second)
            problem = Verdict{Result::fail, Reason{"body-truncated", "The AMS's l= is longer than the canonical body (RFC 6376 §3.5)."}};
        return it->second;
    };
    auto check = [&](const ArcSignatureParse& p, const std::optional<std::string>& digest, ArcKeyEvidence& ev,
                     const std::string& what) -> Verdict {
        const KeyLookup& k = keys.get(p.sig.d, p.sig.s, p.sig.a);
        ev = k.evidence;
        if (k.error) return *k.error;
        auto sig = decode_base64(p.sig.b);
        if (!digest || !sig || !verify_digest(*k.key, p.sig.a, *digest, *sig))
            return Verdict{Result::fail, Reason{"signature-mismatch", "The " + what + "'s signature b= does not verify with the key at " +
                                                                          ev.name.substr(0, ev.name.size() - 1) + "."}};
        return pass_verdict("The " + what);
    };

    std::map<std::string, std::vector<std::size_t>> fields_by_name;  // lower-case name -> indices, top first
    for (std::size_t k = 0; k < fields.size(); ++k) fields_by_name[to_lower(fields[k].f->name)].push_back(k);

    // §5.1.2 / RFC 6376 §3.7: each AMS as a DKIM signature, newest first.
    for (unsigned i = n; i >= 1; --i) {
        const SetFields& s = sets.at(i);
        ArcHop& hop = rep.hops[i - 1];
        if (i < n && optional_hashed > kOptionalHashBudget) {
            hop.ams = Verdict{Result::none, Reason{"not-evaluated", "Not verified: the message is too large to check every older AMS "
                                                                    "(only the newest decides the chain)."}};
            continue;
        }
        std::size_t hashed = 0;
        if (!s.ams_parse.ok()) {
            hop.ams = Verdict{Result::permerror, *s.ams_parse.error};
        } else {
            const ArcSignature& a = s.ams_parse.sig;
            Verdict problem;
            auto bh = body_hash(a, problem, hashed);
            if (!bh) {
                hop.ams = problem;
            } else if (encode_base64(*bh) != a.bh) {
                hop.ams = Verdict{Result::fail, Reason{"body-hash-mismatch", "The body hash bh= of the AMS i=" + std::to_string(i) +
                                                                                  " does not match the body: it changed after this hop signed it."}};
            } else {
                Sha256 sha;
                // RFC 6376 §5.4.2: each name in h= takes the lowest unused field of that name. One
                // stack per name keeps this linear however long h= is (a hostile h= can list
                // thousands of names).
                auto left = fields_by_name;
                for (const auto& name : a.h) {
                    auto it = left.find(to_lower(name));
                    if (it == left.end() || it->second.empty()) continue;
                    const std::size_t k = it->second.back();
                    it->second.pop_back();
                    std::string c = canon_header(fields[k].raw, a.header_canon);
                    hashed += c.size();
                    sha.update(c);
                    sha.update("\r\n");
                }
                sha.update(canon_header(without_b_value(s.ams.front()->raw), a.header_canon));
                hop.ams = check(s.ams_parse, sha.final(), hop.ams_key, "AMS i=" + std::to_string(i));
            }
        }
        if (i < n) optional_hashed += hashed;
    }
    // §5.1.1: seal i signs the sets 1..i (AAR, AMS, AS each), relaxed, its own b= empty; one running
    // hash over the sets, copied for each seal.
    Sha256 running;
    for (unsigned i = 1; i <= n; ++i) {
        const SetFields& s = sets.at(i);
        ArcHop& hop = rep.hops[i - 1];
        running.update(relaxed_header(s.aar.front()->raw) + "\r\n");
        running.update(relaxed_header(s.ams.front()->raw) + "\r\n");
        if (!s.seal_parse.ok()) {
            hop.seal = Verdict{Result::permerror, *s.seal_parse.error};
        } else {
            Sha256 sha(running);
            sha.update(relaxed_header(without_b_value(s.seal.front()->raw)));
            hop.seal = check(s.seal_parse, sha.final(), hop.seal_key, "ARC-Seal i=" + std::to_string(i));
        }
        running.update(relaxed_header(s.seal.front()->raw) + "\r\n");
    }
    if (body_converted) rep.bare_lf_converted = true;

    // §5.2 step 4: the newest AMS.
    const ArcHop& newest = rep.hops.back();
    auto temp = [&](const Verdict& v, const std::string& what) {
        rep.cv = "fail";
        rep.verdict = Verdict{Result::temperror, Reason{"dns-temperror", "The " + what + " could not be checked: " + v.reason.text}};
        return rep;
    };
    if (newest.ams.result != Result::pass) {
        rep.broken_at = n;
        if (newest.ams.result == Result::temperror) return temp(newest.ams, "newest AMS (i=" + std::to_string(n) + ")");
        return finish("fail", Result::fail, "ams-failed", "The newest ARC-Message-Signature (i=" + std::to_string(n) + ", d=" +
                                                              newest.ams_domain + ") does not verify: " + newest.ams.reason.text);
    }
    // §5.2 step 5: oldest-pass, walking the older AMSs down until one fails.
    unsigned oldest = 0;
    for (unsigned i = n; i-- > 1;) {
        if (rep.hops[i - 1].ams.result != Result::pass) {
            oldest = i + 1;
            break;
        }
    }
    // §5.2 step 6: every seal, newest first.
    for (unsigned i = n; i >= 1; --i) {
        const ArcHop& h = rep.hops[i - 1];
        if (h.seal.result == Result::pass) continue;
        rep.broken_at = i;
        if (h.seal.result == Result::temperror) return temp(h.seal, "ARC-Seal i=" + std::to_string(i));
        return finish("fail", Result::fail, "seal-failed", "The ARC-Seal i=" + std::to_string(i) + " (d=" + h.sealer +
                                                               ") does not verify: " + h.seal.reason.text);
    }
    // §5.2 step 7.
    rep.oldest_pass = oldest;
    std::vector<std::string> sealers;
    for (const auto& h : rep.hops) sealers.push_back(h.sealer);
    return finish("pass", Result::pass, "chain-valid",
                  "The chain of " + std::to_string(n) + (n == 1 ? " ARC set" : " ARC sets") + " validates (sealed by " +
                      join(sealers, ", then ") + "); the newest AMS verifies the message as it is now.");
}

std::optional<ArcHopResults> arc_results_for(const ArcReport& r, std::string_view sealer) {
    for (auto it = r.hops.rbegin(); it != r.hops.rend(); ++it) {
        std::string d = it->sealer;
        while (!d.empty() && d.back() == '.') d.pop_back();
        std::string want(sealer);
        while (!want.empty() && want.back() == '.') want.pop_back();
        if (!it->has_seal || !iequals(d, want)) continue;
        ArcHopResults out;
        out.instance = it->instance;
        out.sealer = it->sealer;
        out.aar = it->aar;
        out.seal = it->seal;
        out.chain_pass = r.cv == "pass";
        out.sealed_intact = true;
        for (const auto& h : r.hops) {
            if (h.instance > it->instance) break;
            out.sealed_intact = out.sealed_intact && h.seal.result == Result::pass;
        }
        return out;
    }
    return std::nullopt;
}

Json to_json(const ArcReport& r) {
    auto reason = [](const Reason& x) { return Json{{"code", x.code}, {"text", x.text}}; };
    auto str_or_null = [](const std::string& v) { return v.empty() ? Json(nullptr) : Json(v); };
    auto key = [&](const ArcKeyEvidence& k) {
        if (k.name.empty()) return Json(nullptr);
        return Json{{"name", k.name}, {"dns", k.dns}, {"type", str_or_null(k.type)}, {"bits", k.bits ? Json(k.bits) : Json(nullptr)}};
    };
    Json j = Json::object();
    j["result"] = std::string(to_string(r.verdict.result));
    j["cv"] = r.cv;
    j["reason"] = reason(r.verdict.reason);
    j["instances"] = r.hops.size();
    j["oldest_pass"] = r.oldest_pass ? Json(*r.oldest_pass) : Json(nullptr);
    j["broken_at"] = r.broken_at ? Json(*r.broken_at) : Json(nullptr);
    j["bare_lf_converted"] = r.bare_lf_converted;
    Json hops = Json::array();
    for (const auto& h : r.hops) {
        Json o = Json::object();
        o["i"] = h.instance;
        o["sealer"] = str_or_null(h.sealer);
        o["selector"] = str_or_null(h.selector);
        o["cv"] = str_or_null(h.cv);
        o["t"] = h.seal_t ? Json(*h.seal_t) : Json(nullptr);
        o["seal"] = std::string(to_string(h.seal.result));
        o["seal_reason"] = reason(h.seal.reason);
        o["seal_key"] = key(h.seal_key);
        o["ams"] = std::string(to_string(h.ams.result));
        o["ams_reason"] = reason(h.ams.reason);
        o["ams_domain"] = str_or_null(h.ams_domain);
        o["ams_selector"] = str_or_null(h.ams_selector);
        o["ams_c"] = str_or_null(h.has_ams ? h.ams_c : std::string());
        o["ams_h"] = h.ams_h;
        o["ams_key"] = key(h.ams_key);
        if (!h.has_aar) {
            o["aar"] = nullptr;
        } else {
            Json res = Json::array();
            for (const auto& c : h.aar.results) {
                Json props = Json::object();
                for (const auto& [k, v] : c.properties) props[k] = v;
                res.push_back(Json{{"method", c.method}, {"result", c.result}, {"reason", str_or_null(c.reason)}, {"properties", props}});
            }
            o["aar"] = Json{{"authserv_id", str_or_null(h.aar.authserv_id)}, {"results", res}, {"error", str_or_null(h.aar.error)}};
        }
        hops.push_back(std::move(o));
    }
    j["hops"] = std::move(hops);
    return j;
}

std::string to_text(const ArcReport& r) {
    // Everything taken from the message is shown printable (no control characters reach a terminal).
    auto v = [](const std::string& x) { return printable(x, 2000); };
    std::string out = "arc=" + r.cv;
    if (r.verdict.result == Result::temperror) out += " (temperror)";
    out += ": " + v(r.verdict.reason.text) + "\n";
    if (r.oldest_pass) {
        out += "  oldest-pass=" + std::to_string(*r.oldest_pass) +
               (*r.oldest_pass == 0 ? " (every hop's AMS still verifies: nobody changed the message after signing)"
                                    : " (hops below i=" + std::to_string(*r.oldest_pass) + " no longer verify: the message changed after them)") +
               "\n";
    }
    for (const auto& h : r.hops) {
        out += "  hop i=" + std::to_string(h.instance) + ": sealed by " + (h.sealer.empty() ? "(no seal)" : v(h.sealer));
        if (!h.selector.empty()) out += " (s=" + v(h.selector) + ", cv=" + v(h.cv) + ")";
        out += "\n    seal " + std::string(to_string(h.seal.result)) + " [" + h.seal.reason.code + "] " + v(h.seal.reason.text) + "\n";
        out += "    ams " + std::string(to_string(h.ams.result)) + " [" + h.ams.reason.code + "] " + v(h.ams.reason.text) + "\n";
        if (h.has_aar) {
            out += "    results recorded by " + (h.aar.authserv_id.empty() ? std::string("(no authserv-id)") : v(h.aar.authserv_id)) + ":";
            if (h.aar.results.empty()) out += " none";
            for (const auto& c : h.aar.results) out += " " + v(c.method) + "=" + v(c.result);
            out += "\n";
        } else {
            out += "    no ARC-Authentication-Results\n";
        }
    }
    if (r.bare_lf_converted) out += "  note: the sample has bare LF line ends; they were read as CRLF.\n";
    return out;
}

std::vector<ArClause> to_ar(const ArcReport& r) {
    ArClause c;
    c.method = "arc";
    c.result = r.cv;
    if (!r.hops.empty()) {
        const ArcHop& top = r.hops.back();
        c.comment = "i=" + std::to_string(top.instance) + (top.sealer.empty() ? "" : " sealed by " + top.sealer);
    }
    if (r.verdict.result != Result::pass) c.reason = r.verdict.reason.text;
    if (r.oldest_pass) c.properties.emplace_back("header.oldest-pass", std::to_string(*r.oldest_pass));
    return {c};
}

}  // namespace auth
