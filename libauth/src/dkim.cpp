#include "auth/dkim.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "auth/dkim_key.hpp"
#include "detail/opendkim_verify.hpp"
#include "detail/text.hpp"

namespace auth {

namespace {

using detail::join;
using detail::printable;

constexpr std::uint64_t kFutureTolerance = 300;  // seconds a signer's clock may run ahead

Reason syntax(std::string text) { return Reason{"signature-syntax", std::move(text)}; }



// RFC 6376 §3.5: t=, x= 1*12DIGIT; l= 1*76DIGIT; bad is set when the value is not such a number.
std::optional<std::uint64_t> parse_number(std::string_view v, std::size_t max_digits, bool& bad) {
    auto n = detail::parse_digits(v, max_digits);
    if (!n) bad = true;
    return n;
}

// A d= or s= (RFC 6376 §3.5); a trailing dot is accepted.
bool valid_dns_name(std::string_view n) { return detail::valid_dns_name(n, true); }

// dkim-quoted-printable (RFC 6376 §2.11): =XX hex escapes.
std::string qp_decode(std::string_view s) {
    std::string out;
    for (std::size_t k = 0; k < s.size(); ++k) {
        if (s[k] == '=' && k + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[k + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[k + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(k + 1, 2)), nullptr, 16));
            k += 2;
        } else if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r' && s[k] != '\n') {
            out += s[k];
        }
    }
    return out;
}

std::string utc(std::uint64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (t > static_cast<std::uint64_t>(kLatestTime) || !gmtime_r(&tt, &tm)) return std::to_string(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Scratch memory for the CRLF copies of one message, kept per thread and reused across messages:
// a corpus then does not pay fresh pages (page faults, zeroing) for every message it converts.
class CrlfScratch {
public:
    // Room for the whole message's conversion (at most twice its size); earlier views are dropped.
    void reset(std::size_t need) {
        used_ = 0;
        if (need > cap_) {
            buf_.reset(new char[need]);  // uninitialised: only what is written is touched
            cap_ = need;
        }
    }
    char* next() { return buf_.get() + used_; }
    void commit(std::size_t n) { used_ += n; }
    // A huge (hostile) message must not pin its scratch for the rest of the run.
    void trim() {
        if (cap_ > kKeep) {
            buf_.reset();
            cap_ = 0;
        }
    }

private:
    static constexpr std::size_t kKeep = 32u << 20;
    std::unique_ptr<char[]> buf_;
    std::size_t cap_ = 0, used_ = 0;
};

// Bare LF -> CRLF (RFC 5322 §2.1: lines end in CRLF; samples saved on Unix often lose the CR).
// Returns `s` itself when it has no bare LF (no copy), else the converted text in `scratch`,
// which must have room for 2 * s.size() more bytes.
std::string_view crlf_view(std::string_view s, CrlfScratch& scratch, bool& converted) {
    if (s.empty()) return s;
    const char* const base = s.data();
    const char* const end = base + s.size();
    auto next_lf = [end](const char* from) { return static_cast<const char*>(std::memchr(from, '\n', static_cast<std::size_t>(end - from))); };
    auto bare = [base](const char* lf) { return lf == base || lf[-1] != '\r'; };
    const char* p = next_lf(base);
    while (p && !bare(p)) p = next_lf(p + 1);
    if (!p) return s;
    converted = true;
    // One pass, the runs between bare LFs copied whole.
    char* const start = scratch.next();
    char* out = start;
    const char* run = base;
    for (; p; p = next_lf(p + 1)) {
        if (!bare(p)) continue;
        std::memcpy(out, run, static_cast<std::size_t>(p - run));
        out += p - run;
        *out++ = '\r';
        *out++ = '\n';
        run = p + 1;
    }
    std::memcpy(out, run, static_cast<std::size_t>(end - run));
    out += end - run;
    const auto n = static_cast<std::size_t>(out - start);
    scratch.commit(n);
    return std::string_view(start, n);
}

// A parsed key record and, when it is usable, the clean record handed to libopendkim.
struct CachedKey {
    DkimKeyParse parse;
    std::string lib_record;  // "v=DKIM1; k=...; p=..." (empty when the record is not usable)
};

CachedKey make_cached_key(std::string_view text) {
    CachedKey c{parse_dkim_key(text), {}};
    const DkimKeyRecord& key = c.parse.record;
    if (c.parse.ok() && !key.revoked) {
        if (key.key_type == "ed25519") c.lib_record = "v=DKIM1; k=ed25519; p=" + encode_base64(key.public_key);
        else c.lib_record = "v=DKIM1; k=rsa; p=" + encode_base64(key.spki_der);
    }
    return c;
}

// The parsed key records of this process, keyed by the record text, so that a key repeated
// across messages (the usual case in a corpus) is decoded by OpenSSL only once. Thread-safe;
// bounded (cleared when full: a corpus with more distinct keys than this only loses the saving).
class KeyCache {
public:
    std::shared_ptr<const CachedKey> get(std::string_view text) {
        if (text.size() > kMaxText) return std::make_shared<const CachedKey>(make_cached_key(text));
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = map_.find(text);
            if (it != map_.end()) return it->second;
        }
        // Parsed outside the lock: two threads may parse the same text once each, which is harmless.
        auto parsed = std::make_shared<const CachedKey>(make_cached_key(text));
        std::lock_guard<std::mutex> lock(mu_);
        if (map_.size() >= kMaxEntries) map_.clear();
        map_.emplace(std::string(text), parsed);
        return parsed;
    }

private:
    static constexpr std::size_t kMaxEntries = 4096;
    static constexpr std::size_t kMaxText = 8192;  // larger records (hostile) are parsed, not kept
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<const CachedKey>, std::less<>> map_;
};

KeyCache& key_cache() {
    static KeyCache cache;
    return cache;
}

std::size_t count_in_h(const std::vector<std::string>& h, std::string_view name) {
    return static_cast<std::size_t>(std::count_if(h.begin(), h.end(), [&](const std::string& x) { return iequals(x, name); }));
}

int severity(Result r) {
    switch (r) {
    case Result::pass: return 6;
    case Result::temperror: return 5;
    case Result::policy: return 4;
    case Result::fail: return 3;
    case Result::permerror: return 2;
    case Result::neutral: return 1;
    default: return 0;
    }
}

}  // namespace

std::string DkimSignature::key_type() const {
    auto dash = a.find('-');
    return to_lower(dash == std::string::npos ? a : a.substr(0, dash));
}
std::string DkimSignature::hash() const {
    auto dash = a.find('-');
    return dash == std::string::npos ? std::string() : to_lower(a.substr(dash + 1));
}

// RFC 6376 §3.5 (the tags and their syntax) and §6.1.1 (required tags; From signed; i= within d=).
DkimSignatureParse parse_dkim_signature(std::string_view value) {
    DkimSignatureParse out;
    DkimSignature& s = out.sig;
    DkimTagList list = parse_dkim_tag_list(value);
    // Read what we can even from a broken list, so the report can still name d= and s=.
    for (const auto& t : list.tags) {
        if (t.name == "v") s.v = t.value;
        else if (t.name == "a") s.a = to_lower(trim(t.value));
        else if (t.name == "b") s.b = strip_whitespace(t.value);
        else if (t.name == "bh") s.bh = strip_whitespace(t.value);
        else if (t.name == "c") s.c = strip_whitespace(t.value);
        else if (t.name == "d") s.d = trim(t.value);
        else if (t.name == "s") s.s = trim(t.value);
        else if (t.name == "i") s.i = qp_decode(t.value);
        else if (t.name == "q") s.q = strip_whitespace(t.value);
        else if (t.name == "h") {
            for (auto& name : detail::colon_list(t.value, true)) s.h.push_back(std::move(name));
        }
    }
    auto fail = [&](Reason r) {
        if (!out.error) out.error = std::move(r);
        return out;
    };
    if (!list.ok()) return fail(syntax("The DKIM-Signature is not a valid tag list: " + list.error + "."));
    for (const char* req : {"v", "a", "b", "bh", "d", "h", "s"})
        if (!list.find(req)) return fail(syntax(std::string("The DKIM-Signature has no ") + req + "= tag (RFC 6376 §6.1.1)."));
    if (trim(s.v) != "1") return fail(syntax("The DKIM-Signature version is v=" + printable(s.v) + ", not 1."));
    bool bad = false;
    for (const auto& t : list.tags) {
        if (t.name == "t") s.t = parse_number(t.value, 12, bad);
        else if (t.name == "x") s.x = parse_number(t.value, 12, bad);
        else if (t.name == "l") s.l = parse_number(t.value, 76, bad);
        if (bad) return fail(syntax("The DKIM-Signature's " + t.name + "= is not a number of the allowed length (\"" +
                                    printable(t.value) + "\")."));
    }
    if (!valid_dns_name(s.d)) return fail(syntax("The DKIM-Signature's d= (\"" + printable(s.d) + "\") is not a domain name."));
    if (!valid_dns_name(s.s)) return fail(syntax("The DKIM-Signature's s= (\"" + printable(s.s) + "\") is not a selector."));
    if (s.b.empty() || !valid_base64(s.b)) return fail(syntax("The DKIM-Signature's b= is empty or not base64."));
    if (s.bh.empty() || !valid_base64(s.bh)) return fail(syntax("The DKIM-Signature's bh= is empty or not base64."));
    {
        auto slash = s.c.find('/');
        s.header_canon = to_lower(s.c.substr(0, slash));
        s.body_canon = slash == std::string::npos ? "simple" : to_lower(s.c.substr(slash + 1));
        auto ok = [](const std::string& x) { return x == "simple" || x == "relaxed"; };
        if (!ok(s.header_canon) || !ok(s.body_canon))
            return fail(syntax("The DKIM-Signature's c=" + printable(s.c) + " is not simple or relaxed."));
    }
    for (const auto& name : s.h) {
        bool good = !name.empty();
        for (unsigned char ch : name) good = good && ch > 0x20 && ch < 0x7f && ch != ':';
        if (!good) return fail(syntax("The DKIM-Signature's h= lists an invalid header field name (\"" + printable(name) + "\")."));
    }
    if (!s.q.empty()) {
        bool dns_txt = false;
        std::size_t start = 0;
        while (start <= s.q.size()) {
            auto end = s.q.find(':', start);
            if (end == std::string::npos) end = s.q.size();
            dns_txt = dns_txt || to_lower(s.q.substr(start, end - start)) == "dns/txt";
            start = end + 1;
        }
        if (!dns_txt) return fail(syntax("The DKIM-Signature's q=" + printable(s.q) + " names no query method we know (dns/txt)."));
    }
    if (s.t && s.x && *s.x <= *s.t)
        return fail(syntax("The DKIM-Signature's expiry x= is not after its timestamp t= (RFC 6376 §3.5)."));
    if (s.a != "rsa-sha256" && s.a != "rsa-sha1" && s.a != "ed25519-sha256")
        return fail(Reason{"unsupported-algorithm",
                           "The signature algorithm a=" + printable(s.a) + " is not one we verify (rsa-sha256, ed25519-sha256, rsa-sha1)."});
    if (count_in_h(s.h, "from") == 0)
        return fail(Reason{"from-not-signed", "The signature's h= does not include From, which RFC 6376 §5.4 requires."});
    if (list.find("i")) {
        auto at = s.i.rfind('@');
        if (at == std::string::npos)
            return fail(syntax("The DKIM-Signature's i= (\"" + printable(s.i) + "\") has no @domain."));
        if (!domain_within(s.i.substr(at + 1), s.d))
            return fail(Reason{"identity-mismatch", "The signature's i= domain (" + printable(s.i.substr(at + 1)) +
                                                        ") is not d=" + printable(s.d) + " or a subdomain of it (RFC 6376 §3.5)."});
    }
    return out;
}

Verdict overall_dkim_verdict(const std::vector<DkimSignatureResult>& sigs) {
    if (sigs.empty()) return Verdict{Result::none, Reason{"no-signature", "The message has no DKIM-Signature header field."}};
    const DkimSignatureResult* best = nullptr;
    std::vector<std::string> passing;
    for (const auto& s : sigs) {
        if (s.verdict.result == Result::pass) passing.push_back("d=" + s.d + " s=" + s.s);
        if (!best || severity(s.verdict.result) > severity(best->verdict.result)) best = &s;
    }
    const std::string n = std::to_string(sigs.size());
    const std::string noun = sigs.size() == 1 ? " signature" : " signatures";
    if (!passing.empty())
        return Verdict{Result::pass, Reason{"verified", std::to_string(passing.size()) + " of " + n + noun +
                                                            " verified (" + join(passing, ", ") + ")."}};
    return Verdict{best->verdict.result,
                   Reason{best->verdict.reason.code, "0 of " + n + noun + " passed; signature " +
                                                         std::to_string(best->index + 1) + " (d=" + best->d +
                                                         "): " + best->verdict.reason.text}};
}

// RFC 6376 §6 (verifier actions) over libopendkim, with RFC 8301 §3 policy on top.
DkimReport verify_dkim(const Message& msg, Resolver& dns, const DkimOptions& opts) {
    DkimReport rep;
    rep.now = opts.now ? *opts.now : std::time(nullptr);
    const std::uint64_t now = rep.now < 0 ? 0 : static_cast<std::uint64_t>(rep.now);
    auto fields = msg.all("DKIM-Signature");
    const std::size_t n = fields.size();
    if (n == 0) {
        rep.verdict = overall_dkim_verdict(rep.signatures);
        return rep;
    }

    struct Work {
        DkimSignatureParse parse;
        std::optional<Verdict> early;  // a verdict reached before the cryptography
        bool looked_up = false;
        std::optional<std::string> lib_record;  // the clean key record handed to libopendkim
    };
    std::vector<Work> work(n);
    rep.signatures.resize(n);
    detail::OpendkimInput in;
    in.ignore.assign(n, false);
    in.b_values.resize(n);
    const bool ed25519 = detail::opendkim_has_ed25519();

    for (std::size_t k = 0; k < n; ++k) {
        const HeaderField& f = *fields[k];
        auto colon = f.raw.find(':');
        Work& w = work[k];
        w.parse = parse_dkim_signature(colon == std::string::npos ? std::string_view() : std::string_view(f.raw).substr(colon + 1));
        const DkimSignature& s = w.parse.sig;
        DkimSignatureResult& r = rep.signatures[k];
        r.index = k;
        r.line = f.line;
        r.d = s.d;
        r.s = s.s;
        r.a = s.a;
        r.i = s.i;
        r.c = s.c;
        r.h = s.h;
        r.t = s.t;
        r.x = s.x;
        r.body_length = s.l;
        r.b = s.b;
        in.b_values[k] = s.b;
        if (!w.parse.ok()) {
            w.early = Verdict{Result::permerror, *w.parse.error};
        } else if (s.a == "ed25519-sha256" && !ed25519) {
            w.early = Verdict{Result::permerror, Reason{"unsupported-algorithm",
                                                        "This libopendkim build cannot verify ed25519-sha256 signatures."}};
        } else if (k >= opts.max_signatures) {
            w.early = Verdict{Result::neutral, Reason{"not-evaluated", "Not verified: the message has more than " +
                                                                          std::to_string(opts.max_signatures) +
                                                                          " DKIM signatures and only the first ones are checked."}};
        }
        if (w.early) {
            in.ignore[k] = true;
            continue;
        }
        if (s.t) in.max_t = std::max(in.max_t, *s.t);
        if (s.x) in.min_x = in.min_x ? std::min(in.min_x, *s.x) : *s.x;
    }

    bool lf = false;
    // The views point into the message or into this thread's scratch, which stays untouched until
    // the next verify_dkim on this thread (libopendkim's callbacks never verify another message).
    thread_local CrlfScratch scratch;
    std::size_t total = msg.body().size();
    for (const HeaderField& f : msg.headers()) total += f.raw.size();
    scratch.reset(2 * total);
    in.header_fields.reserve(msg.headers().size());
    for (const HeaderField& f : msg.headers()) in.header_fields.push_back(crlf_view(f.raw, scratch, lf));
    in.body = crlf_view(msg.body(), scratch, lf);
    rep.bare_lf_converted = lf;

    // Key lookup: our Resolver, our parser, our reasons; libopendkim gets a clean record.
    // Memoised: libopendkim may reuse a key for signatures with the same d= and s= and not ask.
    std::function<std::optional<std::string>(std::size_t)> fetch_key;
    detail::KeyLookup lookup = [&](std::size_t k) -> std::optional<std::string> {
        if (k >= n || work[k].early) return std::nullopt;
        Work& w = work[k];
        if (!w.looked_up) {
            w.looked_up = true;
            w.lib_record = fetch_key(k);
        }
        return w.lib_record;
    };
    fetch_key = [&](std::size_t k) -> std::optional<std::string> {
        Work& w = work[k];
        DkimSignatureResult& r = rep.signatures[k];
        const DkimSignature& s = w.parse.sig;
        r.key_name = fqdn(s.s + "._domainkey." + s.d);
        DnsAnswer a = dns.query(r.key_name, RRType::TXT);
        r.key_dns = to_string(a.status);
        const std::string shown = r.key_name.substr(0, r.key_name.size() - 1);
        if (a.status == DnsStatus::ok && a.records.empty()) a.status = DnsStatus::nodata;
        if (a.status == DnsStatus::nxdomain || a.status == DnsStatus::nodata) {
            w.early = Verdict{Result::permerror,
                              Reason{"key-not-found", "No key record at " + shown + " (" +
                                                          (a.status == DnsStatus::nxdomain ? "NXDOMAIN" : "no TXT record") + ")."}};
            return std::nullopt;
        }
        if (a.status != DnsStatus::ok) {
            w.early = Verdict{Result::temperror, Reason{"dns-temperror", "The key query for " + shown + " failed temporarily (" +
                                                                             to_string(a.status) + (a.detail.empty() ? "" : ": " + a.detail) + ")."}};
            return std::nullopt;
        }
        // RFC 6376 §3.6.2.2: with several records the verifier may pick one; we take the first usable.
        std::shared_ptr<const CachedKey> cached;
        for (const auto& rec : a.records) {
            auto p = key_cache().get(rec.text());
            if (!cached || (!cached->parse.ok() && p->parse.ok())) cached = std::move(p);
        }
        const DkimKeyParse* chosen = &cached->parse;
        if (a.records.size() > 1)
            r.warnings.push_back(Reason{"multiple-key-records", std::to_string(a.records.size()) + " TXT records at " + shown +
                                                                    "; the first usable one was used (RFC 6376 §3.6.2.2)."});
        const DkimKeyRecord& key = chosen->record;
        r.key_type = key.key_type;
        r.key_bits = key.key_bits;
        r.key_testing = key.testing();
        if (!chosen->ok()) {
            w.early = Verdict{Result::permerror, Reason{chosen->error->code, "Key record at " + shown + ": " + chosen->error->text}};
            return std::nullopt;
        }
        if (key.revoked) {
            w.early = Verdict{Result::permerror, Reason{"key-revoked", "The key record at " + shown +
                                                                           " has an empty p=: the key has been revoked (RFC 6376 §3.6.1)."}};
            return std::nullopt;
        }
        if (!key.for_email()) {
            w.early = Verdict{Result::permerror, Reason{"key-not-for-email", "The key record at " + shown +
                                                                                 " is not for email (s=" + join(key.services, ":") + ")."}};
            return std::nullopt;
        }
        if (key.key_type != s.key_type()) {
            w.early = Verdict{Result::permerror, Reason{"key-type-mismatch", "The signature uses a=" + s.a + " but the key at " +
                                                                                 shown + " is k=" + key.key_type + "."}};
            return std::nullopt;
        }
        if (!key.allows_hash(s.hash())) {
            w.early = Verdict{Result::permerror, Reason{"key-hash-mismatch", "The key at " + shown + " allows only h=" +
                                                                                 join(key.hashes, ":") + ", not " + s.hash() + "."}};
            return std::nullopt;
        }
        if (key.strict_identity() && !s.i.empty()) {
            auto at = s.i.rfind('@');
            std::string idom = at == std::string::npos ? s.i : s.i.substr(at + 1);
            if (!iequals(idom, s.d)) {
                w.early = Verdict{Result::permerror, Reason{"identity-mismatch", "The key at " + shown +
                                                                                     " has t=s, so i= must be in d=" + s.d +
                                                                                     " itself, not " + idom + "."}};
                return std::nullopt;
            }
        }
        return cached->lib_record;
    };

    std::string lib_error;
    auto outcomes = detail::opendkim_verify(in, n, lookup, lib_error);
    in.header_fields.clear();
    in.body = {};
    scratch.trim();

    for (std::size_t k = 0; k < n; ++k) lookup(k);  // key facts for signatures libopendkim did not ask about

    for (std::size_t k = 0; k < n; ++k) {
        Work& w = work[k];
        DkimSignatureResult& r = rep.signatures[k];
        const DkimSignature& s = w.parse.sig;
        const auto& o = outcomes[k];
        std::vector<Reason> late;  // time and RFC 8301 findings
        if (w.parse.ok()) {
            if (s.x && now > *s.x)
                late.push_back(Reason{"signature-expired", "The signature expired at " + utc(*s.x) + " (x=), before the evaluation time " +
                                                               utc(now) + "."});
            if (s.t && *s.t > now + kFutureTolerance)
                late.push_back(Reason{"signature-in-future", "The signature's timestamp " + utc(*s.t) +
                                                                 " (t=) is after the evaluation time " + utc(now) + "."});
            if (s.a == "rsa-sha1")
                late.push_back(Reason{"weak-algorithm", "The signature uses rsa-sha1, which RFC 8301 §3.1 says verifiers must not accept."});
        }
        if (w.early) {
            r.verdict = *w.early;
        } else if (!lib_error.empty()) {
            r.verdict = Verdict{Result::neutral, Reason{"verifier-error", "The message could not be verified: " + lib_error + "."}};
        } else if (!o.found) {
            r.verdict = Verdict{Result::neutral, Reason{"verifier-error", "libopendkim did not report on this signature."}};
        } else if (o.body_hash == 1) {
            r.verdict = Verdict{Result::fail, Reason{"body-hash-mismatch", "The body hash does not match bh=: the body was changed after signing."}};
        } else if (o.passed && o.body_hash == 0) {
            r.crypto_verified = true;
        } else if (o.error == detail::kOdkBadSig) {
            r.verdict = Verdict{Result::fail, Reason{"signature-mismatch", "The signature b= does not verify with the published key: "
                                                                          "a signed header field was changed, or the key is not the signer's."}};
        } else if (o.error == detail::kOdkTooLargeL) {
            r.verdict = Verdict{Result::fail, Reason{"body-truncated", "l= covers more bytes than the body has: the body was shortened after signing."}};
        } else if (o.error == detail::kOdkKeyHashMismatch) {
            r.verdict = Verdict{Result::permerror, Reason{"key-hash-mismatch", "The key record does not allow the signature's hash algorithm."}};
        } else if (o.error == detail::kOdkKeyDecode) {
            r.verdict = Verdict{Result::permerror, Reason{"key-syntax", "libopendkim could not use the public key."}};
        } else {
            r.verdict = Verdict{Result::neutral, Reason{"verifier-error", "libopendkim could not verify this signature (" +
                                                                              (o.error_text.empty() ? std::string("no detail") : o.error_text) + ")."}};
        }
        if (r.key_bits == 0 && o.key_bits) r.key_bits = o.key_bits;
        if (r.crypto_verified) {
            if (r.key_type == "rsa" && r.key_bits && r.key_bits < 1024)
                late.push_back(Reason{"weak-key", "The RSA key has only " + std::to_string(r.key_bits) +
                                                      " bits; RFC 8301 §3.2 says verifiers must not accept keys under 1024 bits."});
            if (late.empty()) {
                r.verdict = Verdict{Result::pass, Reason{"verified", "The signature verified with the key at " +
                                                                         r.key_name.substr(0, r.key_name.size() - 1) + " (" +
                                                                         r.key_type + ", " + std::to_string(r.key_bits) + " bits)."}};
            } else {
                r.verdict = Verdict{Result::policy, Reason{late.front().code, "The signature itself verified, but: " + late.front().text}};
                late.erase(late.begin());
            }
        } else {
            // A signature that does not verify needs no RFC 8301 verdict; its time problems stay as warnings.
            late.erase(std::remove_if(late.begin(), late.end(), [](const Reason& x) { return x.code == "weak-algorithm"; }), late.end());
        }
        for (auto& l : late) r.warnings.push_back(std::move(l));

        if (!w.parse.ok()) continue;
        if (s.l) {
            std::string text = "l=" + std::to_string(*s.l) + " limits the signature to the first " + std::to_string(*s.l) +
                               " body bytes (canonicalised)";
            if (o.processed && o.body_length >= 0 && o.signed_length >= 0 && o.body_length >= o.signed_length) {
                r.unsigned_body_bytes = static_cast<std::uint64_t>(o.body_length - o.signed_length);
                text += "; " + std::to_string(*r.unsigned_body_bytes) + " bytes of this body lie outside the signature and could be anything.";
            } else {
                text += "; anything after them is not covered.";
            }
            r.warnings.push_back(Reason{"body-length-limit", text});
        }
        std::vector<std::string> unsigned_names;
        for (const char* name : {"Subject", "Date", "To", "Reply-To", "Content-Type", "Message-ID"})
            if (count_in_h(s.h, name) == 0) unsigned_names.push_back(name);
        if (!unsigned_names.empty())
            r.warnings.push_back(Reason{"header-not-signed", "h= does not cover " + join(unsigned_names, ", ") +
                                                                 ": these can be added or changed without breaking the signature."});
        std::vector<std::string> not_over;
        for (const char* name : {"From", "Subject", "To", "Cc", "Reply-To", "Date", "Message-ID", "Content-Type"}) {
            std::size_t signed_n = count_in_h(s.h, name);
            if (signed_n > 0 && signed_n <= msg.all(name).size()) not_over.push_back(name);
        }
        if (!not_over.empty())
            r.warnings.push_back(Reason{"header-not-oversigned", join(not_over, ", ") +
                                                                     " signed but not over-signed: another instance could be added without breaking the signature."});
        if (r.key_testing)
            r.warnings.push_back(Reason{"key-testing-mode", "The key record has t=y: the domain says it is testing DKIM (RFC 6376 §3.6.1)."});
        if (r.key_type == "rsa" && r.key_bits >= 1024 && r.key_bits < 2048)
            r.warnings.push_back(Reason{"key-bits-low", "The RSA key has " + std::to_string(r.key_bits) +
                                                            " bits: accepted, but under the 2048 bits RFC 8301 §3.2 says signers should use."});
    }
    rep.verdict = overall_dkim_verdict(rep.signatures);
    return rep;
}

Json to_json(const DkimReport& r) {
    // Keys are appended straight to the ordered object (each is new, so no lookup) and values moved
    // in, not copied: this runs for every sample of a corpus.
    auto object = [](std::size_t n) {
        Json o = Json::object();
        o.get_ref<Json::object_t&>().reserve(n);
        return o;
    };
    auto put = [](Json& o, const char* key, Json value) { o.get_ref<Json::object_t&>().emplace_back(key, std::move(value)); };
    auto reason = [&](const Reason& x) {
        Json o = object(2);
        put(o, "code", x.code);
        put(o, "text", x.text);
        return o;
    };
    auto opt = [](const std::optional<std::uint64_t>& v) { return v ? Json(*v) : Json(nullptr); };
    auto str_or_null = [](const std::string& v) { return v.empty() ? Json(nullptr) : Json(v); };
    Json j = object(5);
    put(j, "result", std::string(to_string(r.verdict.result)));
    put(j, "reason", reason(r.verdict.reason));
    put(j, "evaluated_at", static_cast<long long>(r.now));
    put(j, "bare_lf_converted", r.bare_lf_converted);
    Json sigs = Json::array();
    sigs.get_ref<Json::array_t&>().reserve(r.signatures.size());
    for (const auto& s : r.signatures) {
        Json o = object(20);
        put(o, "index", s.index);
        put(o, "d", s.d);
        put(o, "s", s.s);
        put(o, "a", s.a);
        put(o, "i", str_or_null(s.i));
        put(o, "c", s.c);
        Json h = Json::array();
        auto& ha = h.get_ref<Json::array_t&>();
        ha.reserve(s.h.size());
        for (const auto& name : s.h) ha.emplace_back(name);
        put(o, "h", std::move(h));
        put(o, "t", opt(s.t));
        put(o, "x", opt(s.x));
        put(o, "body_length", opt(s.body_length));
        put(o, "unsigned_body_bytes", opt(s.unsigned_body_bytes));
        put(o, "key_name", str_or_null(s.key_name));
        put(o, "key_dns", str_or_null(s.key_dns));
        put(o, "key_type", str_or_null(s.key_type));
        put(o, "key_bits", s.key_bits ? Json(s.key_bits) : Json(nullptr));
        put(o, "key_testing", s.key_testing);
        put(o, "result", std::string(to_string(s.verdict.result)));
        put(o, "reason", reason(s.verdict.reason));
        Json w = Json::array();
        auto& wa = w.get_ref<Json::array_t&>();
        wa.reserve(s.warnings.size());
        for (const auto& x : s.warnings) wa.push_back(reason(x));
        put(o, "warnings", std::move(w));
        sigs.get_ref<Json::array_t&>().push_back(std::move(o));
    }
    put(j, "signatures", std::move(sigs));
    return j;
}

std::string to_text(const DkimReport& r) {
    std::string out = "dkim=" + std::string(to_string(r.verdict.result)) + ": " + r.verdict.reason.text + "\n";
    for (const auto& s : r.signatures) {
        out += "  signature " + std::to_string(s.index + 1) + " (d=" + s.d + " s=" + s.s + " a=" + s.a + "): " +
               std::string(to_string(s.verdict.result)) + " [" + s.verdict.reason.code + "] " + s.verdict.reason.text + "\n";
        for (const auto& w : s.warnings) out += "    warning [" + w.code + "]: " + w.text + "\n";
    }
    if (r.bare_lf_converted) out += "  note: the sample has bare LF line ends; they were read as CRLF.\n";
    return out;
}

std::vector<ArClause> to_ar(const DkimReport& r) {
    std::vector<ArClause> out;
    if (r.signatures.empty()) {
        ArClause c;
        c.method = "dkim";
        c.result = "none";
        c.reason = r.verdict.reason.text;
        out.push_back(c);
        return out;
    }
    for (const auto& s : r.signatures) {
        ArClause c;
        c.method = "dkim";
        c.result = std::string(to_string(s.verdict.result));
        c.reason = s.verdict.reason.text;
        if (!s.d.empty()) c.properties.emplace_back("header.d", s.d);
        if (!s.i.empty()) c.properties.emplace_back("header.i", s.i);
        if (!s.s.empty()) c.properties.emplace_back("header.s", s.s);
        if (!s.a.empty()) c.properties.emplace_back("header.a", s.a);
        if (!s.b.empty()) c.properties.emplace_back("header.b", s.b.substr(0, 8));
        out.push_back(c);
    }
    return out;
}

}  // namespace auth
