#include "detail/opendkim_verify.hpp"

#include <sys/types.h>

#include <cstring>
#include <strings.h>
#include <ctime>
#include <mutex>

// dkim.h is C and spells the boolean type _Bool; the C++ bool has the same size and ABI.
#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool

namespace auth::detail {

namespace {

// Per-message state, reached from libopendkim's callbacks through dkim_get_user_context.
struct Ctx {
    const OpendkimInput* in = nullptr;
    const KeyLookup* lookup = nullptr;
    std::size_t nsigs = 0;
    std::vector<std::pair<DKIM_SIGINFO*, long>> map;  // libopendkim's handle -> our index (-1 unknown)
};

std::string tag_value(DKIM_SIGINFO* sig, const char* tag) {
    u_char* v = dkim_sig_gettagvalue(sig, false, reinterpret_cast<u_char*>(const_cast<char*>(tag)));
    return v ? std::string(reinterpret_cast<char*>(v)) : std::string();
}

std::string no_space(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
    return out;
}

// Pairs libopendkim's signature handles with our DKIM-Signature fields: by position when the
// counts agree (the normal case with DKIM_LIBFLAGS_BADSIGHANDLES), else by the b= value.
void build_map(Ctx& c, DKIM_SIGINFO** sigs, int n) {
    c.map.clear();
    std::vector<bool> used(c.nsigs, false);
    for (int k = 0; k < n; ++k) {
        long idx = -1;
        if (static_cast<std::size_t>(n) == c.nsigs) {
            idx = k;
        } else {
            std::string b = no_space(tag_value(sigs[k], "b"));
            for (std::size_t j = 0; j < c.nsigs && j < c.in->b_values.size(); ++j) {
                if (!used[j] && !b.empty() && c.in->b_values[j] == b) {
                    idx = static_cast<long>(j);
                    used[j] = true;
                    break;
                }
            }
        }
        c.map.emplace_back(sigs[k], idx);
    }
}

long index_of(Ctx& c, DKIM* dkim, DKIM_SIGINFO* sig) {
    if (c.map.empty()) {
        DKIM_SIGINFO** sigs = nullptr;
        int n = 0;
        if (dkim_getsiglist(dkim, &sigs, &n) == DKIM_STAT_OK) build_map(c, sigs, n);
    }
    for (const auto& [s, i] : c.map)
        if (s == sig) return i;
    return -1;
}

extern "C" DKIM_CBSTAT prescreen_cb(DKIM* dkim, DKIM_SIGINFO** sigs, int nsigs) {
    auto* c = static_cast<Ctx*>(dkim_get_user_context(dkim));
    if (!c) return DKIM_CBSTAT_CONTINUE;
    build_map(*c, sigs, nsigs);
    for (const auto& [s, i] : c->map) {
        if (i < 0 || (static_cast<std::size_t>(i) < c->in->ignore.size() && c->in->ignore[static_cast<std::size_t>(i)]))
            dkim_sig_ignore(s);
    }
    return DKIM_CBSTAT_CONTINUE;
}

// Key lookup through the caller (our Resolver), never libopendkim's own DNS. Only CONTINUE and
// NOTFOUND are returned: any other status makes libopendkim abandon every remaining signature.
extern "C" DKIM_CBSTAT key_lookup_cb(DKIM* dkim, DKIM_SIGINFO* sig, u_char* buf, size_t buflen) {
    auto* c = static_cast<Ctx*>(dkim_get_user_context(dkim));
    if (!c || !c->lookup) return DKIM_CBSTAT_NOTFOUND;
    long idx = index_of(*c, dkim, sig);
    if (idx < 0) return DKIM_CBSTAT_NOTFOUND;
    std::optional<std::string> rec;
    try {
        rec = (*c->lookup)(static_cast<std::size_t>(idx));
    } catch (...) {
        return DKIM_CBSTAT_NOTFOUND;  // never unwind through C code; the caller keeps its reason
    }
    if (!rec || rec->size() + 1 > buflen) return DKIM_CBSTAT_NOTFOUND;
    std::memcpy(buf, rec->c_str(), rec->size() + 1);
    return DKIM_CBSTAT_CONTINUE;
}

struct Lib {
    DKIM_LIB* lib = nullptr;
    bool ed25519 = false;
    std::mutex eoh_mu;  // guards DKIM_OPTS_CLOCKDRIFT, which dkim_eoh reads
    Lib() {
        lib = dkim_init(nullptr, nullptr);
        if (!lib) return;
        ed25519 = dkim_libfeature(lib, DKIM_FEATURE_ED25519);
        // Verify every signature (no VERIFYONE), keep no temporary files, process signatures at
        // end of message (so key lookups happen outside the eoh lock), and keep a handle for
        // malformed signatures so the list matches the message's DKIM-Signature fields.
        u_int flags = DKIM_LIBFLAGS_DELAYSIGPROC | DKIM_LIBFLAGS_BADSIGHANDLES;
        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
        // RFC 8301 weak keys are judged by us (policy/weak-key), so the library must verify them.
        u_int minbits = 0;
        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits, sizeof minbits);
        dkim_set_key_lookup(lib, key_lookup_cb);
        dkim_set_prescreen(lib, prescreen_cb);
    }
    ~Lib() {
        if (lib) dkim_close(lib);
    }
};

Lib& the_lib() {
    static Lib lib;  // created once, thread-safe (C++11 static initialisation)
    return lib;
}

// The clock drift that keeps libopendkim's x=/t= checks (which read the real clock, not
// DKIM_OPTS_FIXEDTIME) from rejecting any signature we process; we judge time ourselves.
std::uint64_t drift_for(const OpendkimInput& in) {
    const std::uint64_t now = static_cast<std::uint64_t>(std::time(nullptr));
    const std::uint64_t margin = 3600;
    std::uint64_t d = 300;
    if (in.min_x && now + margin > in.min_x) d = std::max(d, now - in.min_x + margin);
    if (in.max_t > now) d = std::max(d, in.max_t - now + margin);
    return d;
}

}  // namespace

bool opendkim_has_ed25519() { return the_lib().lib && the_lib().ed25519; }

std::vector<OpendkimSigOutcome> opendkim_verify(const OpendkimInput& in, std::size_t nsigs, const KeyLookup& lookup,
                                                std::string& error) {
    std::vector<OpendkimSigOutcome> out(nsigs);
    Lib& L = the_lib();
    if (!L.lib) {
        error = "libopendkim could not be initialised";
        return out;
    }
    DKIM_STAT st = DKIM_STAT_OK;
    DKIM* d = dkim_verify(L.lib, reinterpret_cast<const u_char*>("authscope"), nullptr, &st);
    if (!d) {
        error = std::string("libopendkim: ") + dkim_getresultstr(st);
        return out;
    }
    Ctx ctx;
    ctx.in = &in;
    ctx.lookup = &lookup;
    ctx.nsigs = nsigs;
    dkim_set_user_context(d, &ctx);

    auto fail = [&](const char* step, DKIM_STAT s) {
        const char* detail = dkim_geterror(d);
        error = std::string("libopendkim ") + step + ": " + dkim_getresultstr(s) +
                (detail && *detail ? std::string(" (") + detail + ")" : std::string());
    };
    for (const auto& f : in.header_fields) {
        st = dkim_header(d, reinterpret_cast<u_char*>(const_cast<char*>(f.data())), f.size());
        // libopendkim refuses a DKIM-Signature field whose tag list it cannot read, and would then
        // abandon the whole message; leave that field out so the other signatures are still verified
        // (handles are then paired with our fields by b=).
        if (st == DKIM_STAT_SYNTAX && f.size() > 15 && strncasecmp(f.data(), "DKIM-Signature:", 15) == 0) continue;
        if (st != DKIM_STAT_OK) {
            fail("header", st);
            dkim_free(d);
            return out;
        }
    }
    {
        std::lock_guard<std::mutex> lock(L.eoh_mu);
        std::uint64_t drift = drift_for(in);
        dkim_options(L.lib, DKIM_OP_SETOPT, DKIM_OPTS_CLOCKDRIFT, &drift, sizeof drift);
        st = dkim_eoh(d);
    }
    if (st != DKIM_STAT_OK && st != DKIM_STAT_NOSIG) {
        fail("end of header", st);
        dkim_free(d);
        return out;
    }
    if (!in.body.empty()) {
        st = dkim_body(d, reinterpret_cast<u_char*>(const_cast<char*>(in.body.data())), in.body.size());
        if (st != DKIM_STAT_OK) {
            fail("body", st);
            dkim_free(d);
            return out;
        }
        // RFC 6376 §3.4.3/§3.4.4: both canonicalizations end a non-empty body lacking its final
        // line break with CRLF; libopendkim 2.11 does not add it to a relaxed body, so we do.
        if (in.body.size() < 2 || in.body.compare(in.body.size() - 2, 2, "\r\n") != 0) {
            static const char kCrlf[] = "\r\n";
            st = dkim_body(d, reinterpret_cast<u_char*>(const_cast<char*>(kCrlf)), 2);
            if (st != DKIM_STAT_OK) {
                fail("body", st);
                dkim_free(d);
                return out;
            }
        }
    }
    st = dkim_eom(d, nullptr);
    if (st == DKIM_STAT_NORESOURCE || st == DKIM_STAT_INTERNAL || st == DKIM_STAT_INVALID) {
        fail("end of message", st);
        dkim_free(d);
        return out;
    }
    DKIM_SIGINFO** sigs = nullptr;
    int n = 0;
    if (dkim_getsiglist(d, &sigs, &n) == DKIM_STAT_OK) {
        if (ctx.map.empty()) build_map(ctx, sigs, n);
        for (int k = 0; k < n; ++k) {
            long idx = index_of(ctx, d, sigs[k]);
            if (idx < 0 || static_cast<std::size_t>(idx) >= nsigs) continue;
            OpendkimSigOutcome& o = out[static_cast<std::size_t>(idx)];
            DKIM_SIGINFO* s = sigs[k];
            unsigned flags = dkim_sig_getflags(s);
            o.found = true;
            o.processed = (flags & DKIM_SIGFLAG_PROCESSED) != 0;
            o.passed = (flags & DKIM_SIGFLAG_PASSED) != 0;
            o.body_hash = dkim_sig_getbh(s);
            o.error = dkim_sig_geterror(s);
            const char* es = dkim_sig_geterrorstr(static_cast<DKIM_SIGERROR>(o.error));
            o.error_text = es ? es : "";
            unsigned int bits = 0;
            if (dkim_sig_getkeysize(s, &bits) == DKIM_STAT_OK) o.key_bits = bits;
            if (o.processed) {
                ssize_t msglen = -1, canonlen = -1, signlen = -1;
                if (dkim_sig_getcanonlen(d, s, &msglen, &canonlen, &signlen) == DKIM_STAT_OK) {
                    o.body_length = msglen;
                    o.signed_length = canonlen;
                }
            }
        }
    }
    dkim_free(d);
    return out;
}

}  // namespace auth::detail
