#include "auth/explain_html.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "auth/html.hpp"
#include "auth/indicators.hpp"

namespace auth {

namespace {

std::string esc(std::string_view s) { return html_escape(s); }

// A tag for the sample's anchors: FNV-1a of its name, so sections of one page never clash.
std::string anchor_prefix(const std::string& file) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : file) h = (h ^ c) * 16777619u;
    char buf[16];
    std::snprintf(buf, sizeof buf, "s%08x-", h);
    return buf;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Whitespace runs collapsed to one space (what a reader sees), with each byte's offset in `s`.
std::string normalise(std::string_view s, std::vector<std::size_t>* at = nullptr) {
    std::string n;
    bool space = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (is_space(s[i])) {
            if (!space && !n.empty()) {
                n.push_back(' ');
                if (at) at->push_back(i);
            }
            space = true;
            continue;
        }
        space = false;
        n.push_back(s[i]);
        if (at) at->push_back(i);
    }
    if (!n.empty() && n.back() == ' ') {
        n.pop_back();
        if (at) at->pop_back();
    }
    return n;
}

// What is highlighted in the message: a string as written, what it is, and where it links.
struct Mark {
    std::string needle;  // normalised
    std::string css;     // "ind" or "field"
    std::string title;   // tooltip: what it is and why it is marked
    std::string target;  // anchor (without '#')
    std::string label;   // superscript: the finding's number, "i" for an indicator without one
    std::string display; // shown instead of the text found (a link's defanged form), "" for the text
};

// Finds marks in text (whitespace-insensitive) and returns it escaped, with <mark> around each
// occurrence: fields first (outer), indicators inside them.
class Highlighter {
public:
    void add(Mark m) {
        if (m.needle.size() < 3 || marks_.size() >= 400) return;
        for (const auto& x : marks_)
            if (x.needle == m.needle && x.css == m.css) return;
        marks_.push_back(std::move(m));
    }
    void sort() {
        std::stable_sort(marks_.begin(), marks_.end(), [](const Mark& a, const Mark& b) { return a.needle.size() > b.needle.size(); });
    }
    std::string render(std::string_view text) const { return level(text, "field"); }

private:
    struct Hit {
        std::size_t b, e;
        const Mark* m;
    };
    std::string level(std::string_view text, const std::string& css) const {
        std::vector<std::size_t> at;
        std::string n = normalise(text, &at);
        std::vector<Hit> hits;
        for (const auto& m : marks_) {
            if (m.css.compare(0, css.size(), css) != 0) continue;
            for (std::size_t p = n.find(m.needle); p != std::string::npos; p = n.find(m.needle, p + 1)) {
                std::size_t b = at[p], e = at[p + m.needle.size() - 1] + 1;
                bool overlaps = false;
                for (const auto& h : hits) overlaps = overlaps || (b < h.e && h.b < e);
                if (!overlaps) hits.push_back({b, e, &m});
                if (hits.size() > 2000) break;
            }
        }
        std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.b < b.b; });
        std::string out;
        std::size_t pos = 0;
        auto inner = [&](std::string_view t) { return css == "field" ? level(t, "ind") : esc(t); };
        for (const auto& h : hits) {
            out += inner(text.substr(pos, h.b - pos));
            out += "<mark class=\"" + h.m->css + "\" title=\"" + esc(h.m->title) + "\">";
            if (!h.m->target.empty()) out += "<a class=\"ref\" href=\"#" + h.m->target + "\">";
            out += h.m->display.empty() ? inner(text.substr(h.b, h.e - h.b)) : esc(h.m->display);
            if (!h.m->target.empty()) out += "</a>";
            if (!h.m->label.empty()) out += "<sup>" + esc(h.m->label) + "</sup>";
            out += "</mark>";
            pos = h.e;
        }
        out += inner(text.substr(pos));
        return out;
    }
    std::vector<Mark> marks_;
};

std::string result_word(Result r) { return std::string(to_string(r)); }

std::string box(const std::string& kind, Result r, const std::string& detail, int aligned /* -1 unknown */,
                const std::string& extra = "") {
    std::string o = "<div class=\"box r-" + result_word(r) + "\"><div class=\"k\">" + esc(kind) + "</div><div class=\"r\">" +
                    esc(result_word(r)) + "</div>";
    if (!detail.empty()) o += "<div class=\"d\">" + detail + "</div>";
    if (aligned >= 0)
        o += aligned ? "<span class=\"al al-yes\">aligned with From</span>" : "<span class=\"al al-no\">not aligned with From</span>";
    if (!extra.empty()) o += "<div class=\"d\">" + extra + "</div>";
    return o + "</div>";
}

std::string headline(const ExplainReport& r) {
    std::string who = r.brand ? r.brand->name : r.authenticated_domain.empty() ? std::string("the sender") : r.authenticated_domain;
    if (r.verdict == "authentic-but-abusive") return "Sent by " + who + "'s systems, carrying content " + who + " did not write";
    if (r.verdict == "authentic") return "Sent by " + who + "'s systems; no sign of abuse";
    if (r.verdict == "spoofed") return "Claims to be " + who + " but does not authenticate as it";
    if (r.verdict == "inconclusive") return "Authentication could not be checked";
    return "Nothing proves who sent it";
}

std::string source_sentence(const std::string& source) {
    if (source == "checked") return "Checked by authscope, from DNS answers (or a snapshot of them).";
    auto colon = source.find(':');
    std::string host = colon == std::string::npos ? source : source.substr(colon + 1);
    if (source.rfind("arc:", 0) == 0) return "As recorded by the ARC hop " + host + " (ARC-Authentication-Results).";
    return "As recorded by the receiver " + host + " (Authentication-Results); not re-checked by authscope.";
}

// Does a finding's evidence mention this text?
bool mentions(const Finding& f, const std::string& s) {
    if (s.size() < 3) return false;
    for (const auto& e : f.evidence)
        if (e.find(s) != std::string::npos) return true;
    return f.summary.find(s) != std::string::npos;
}

}  // namespace

std::string explain_html_section(const ExplainReport& r, const Message& msg, const std::string& file, const MimeLimits& limits) {
    const std::string p = anchor_prefix(file);
    MimeLimits ml = limits;
    ml.keep_html_source = true;
    DecodedMessage mime = decode_mime(msg, ml);

    // Which finding each indicator and field belongs to.
    // The most specific finding: customer-text-payload names everything in a field, and the
    // field's own mark links to it already.
    auto finding_of = [&](std::initializer_list<const std::string*> forms) -> int {
        int general = -1;
        for (std::size_t j = 0; j < r.findings.size(); ++j)
            for (const std::string* s : forms)
                if (s && mentions(r.findings[j], *s)) {
                    if (r.findings[j].id != "customer-text-payload") return static_cast<int>(j);
                    if (general < 0) general = static_cast<int>(j);
                }
        return general;
    };
    std::vector<int> ind_finding(r.indicators.items.size(), -1);
    Highlighter hl;
    std::map<std::string, std::size_t> href_ind;  // link target as written -> indicator
    for (std::size_t k = 0; k < r.indicators.items.size(); ++k) {
        const Indicator& i = r.indicators.items[k];
        int j = finding_of({&i.defanged, &i.raw, &i.value});
        ind_finding[k] = j;
        std::string shown = i.kind == "url" || i.kind == "email" ? i.defanged : i.value;
        std::string title = i.kind + ": " + shown + (j >= 0 ? " (finding " + std::to_string(j + 1) + ": " + r.findings[j].id + ")" : "");
        std::string target = j >= 0 ? p + "f" + std::to_string(j + 1) : p + "i" + std::to_string(k + 1);
        std::string label = j >= 0 ? std::to_string(j + 1) : "i";
        if (i.where.rfind("link in ", 0) == 0) href_ind.emplace(i.raw, k);
        else hl.add({normalise(i.raw), j >= 0 ? "ind" : "ind quiet", title, target, label, i.kind == "url" || i.kind == "email" ? i.defanged : ""});
    }
    int payload = -1;
    for (std::size_t j = 0; j < r.findings.size(); ++j)
        if (r.findings[j].id == "customer-text-payload") payload = static_cast<int>(j);
    for (const auto& f : r.customer_fields) {
        bool flagged = payload >= 0 && mentions(r.findings[payload], f.where);
        std::string title = "Text a customer can set: " + f.where + (flagged ? " (finding " + std::to_string(payload + 1) + ")" : "");
        hl.add({normalise(f.text), "field", title, flagged ? p + "f" + std::to_string(payload + 1) : "",
                flagged ? std::to_string(payload + 1) : "", ""});
    }
    hl.sort();

    std::string o = "<article class=\"sample\" id=\"" + p + "top\">\n";

    // The verdict first.
    int n[4] = {0, 0, 0, 0};
    for (const auto& f : r.findings) ++n[int(f.severity)];
    o += "<header class=\"verdict v-" + esc(r.verdict) + "\"><div class=\"word\">" + esc(r.verdict) + "</div>";
    o += "<div class=\"reason\"><strong>" + esc(headline(r)) + ".</strong> " + esc(r.reason.text) + "</div>";
    o += "<div class=\"meta\">Sample <code>" + esc(file) + "</code>";
    if (r.brand) o += " · brand " + esc(r.brand->name) + (r.brand_claimed_only ? " (claimed only)" : "");
    if (!r.authenticated_domain.empty()) o += " · authenticated domain <code>" + esc(r.authenticated_domain) + "</code>";
    o += " · findings: ";
    const char* names[] = {"high", "medium", "low", "info"};
    std::vector<std::string> counts;
    for (int s = 0; s < 4; ++s)
        if (n[s]) counts.push_back(std::to_string(n[s]) + " " + names[s]);
    if (counts.empty()) o += "none";
    for (std::size_t c = 0; c < counts.size(); ++c) o += (c ? ", " : "") + esc(counts[c]);
    if (!r.next_steps.empty()) o += "<br>Next: " + esc(r.next_steps.front());
    o += "</div></header>\n";

    // The authentication chain.
    const auto& a = r.auth;
    o += "<section><h2>Authentication chain</h2><div class=\"chain\"><div class=\"stack\">";
    std::string spf_d = a.spf_domain.empty() ? "" : "MAIL FROM / HELO domain <code>" + esc(a.spf_domain) + "</code>";
    o += box("SPF", a.spf, spf_d, a.spf == Result::pass ? int(a.spf_aligned) : -1);
    if (a.signatures.empty()) o += box("DKIM", Result::none, "no signature", -1);
    for (const auto& s : a.signatures)
        o += box("DKIM signature", s.result, "d=<code>" + esc(s.d) + "</code> s=<code>" + esc(s.s) + "</code>",
                 s.result == Result::pass ? int(s.aligned) : -1, s.reason.empty() ? "" : esc(s.reason));
    o += "</div><div class=\"arrow\">→</div>";
    std::string dm = a.from_domain.empty() ? "" : "From domain <code>" + esc(a.from_domain) + "</code>";
    if (!a.policy.empty()) dm += "<br>policy p=" + esc(a.policy);
    o += box("DMARC", a.dmarc, dm, -1, esc(a.dmarc_reason.text));
    o += "<div class=\"arrow\">→</div><div class=\"box v-" + esc(r.verdict) + "\"><div class=\"k\">Verdict</div><div class=\"r\">" + esc(r.verdict) + "</div></div>";
    o += "</div><div class=\"source\">" + esc(source_sentence(a.source));
    for (const auto& u : a.unchecked) o += "<br>Not checked: " + esc(u);
    o += "</div>";
    o += "<h3 class=\"sub\">What authentication proves</h3><ul class=\"plain\">";
    for (const auto& s : r.proves) o += "<li>" + esc(s) + "</li>";
    o += "</ul><h3>What it does not prove</h3><ul class=\"plain\">";
    for (const auto& s : r.does_not_prove) o += "<li>" + esc(s) + "</li>";
    o += "</ul></section>\n";

    // Findings with their evidence.
    o += "<section><h2>Findings</h2>";
    if (r.findings.empty()) o += "<p>None: nothing in the message shows abuse.</p>";
    for (std::size_t j = 0; j < r.findings.size(); ++j) {
        const Finding& f = r.findings[j];
        std::string sev = to_string(f.severity);
        o += "<div class=\"finding s-" + esc(sev) + "\" id=\"" + p + "f" + std::to_string(j + 1) + "\"><span class=\"sev\">" +
             std::to_string(j + 1) + " · " + esc(sev) + "</span><span class=\"fid\">" + esc(f.id) + "</span><h3>" + esc(f.summary) +
             "</h3>";
        if (!f.evidence.empty()) {
            o += "<ul class=\"evidence\">";
            for (const auto& e : f.evidence) o += "<li class=\"mono\">" + esc(e) + "</li>";
            o += "</ul>";
        }
        o += "</div>";
    }
    o += "</section>\n";

    // The message as the recipient saw it.
    o += "<section><h2>The message as the recipient saw it</h2>";
    o += "<p class=\"legend\"><mark class=\"field\">text a customer can set</mark> <mark class=\"ind\">indicator in a "
         "finding</mark> <mark class=\"ind quiet\">other indicator</mark> — the number is the finding it supports. Links are shown as text with their defanged target; images are not loaded.</p>";
    o += "<div class=\"mail\"><div class=\"hdr\"><table>";
    for (const char* h : {"From", "Reply-To", "To", "Cc", "Subject", "Date"}) {
        for (const auto& dh : mime.headers) {
            std::string lname = dh.name;
            std::transform(lname.begin(), lname.end(), lname.begin(), [](unsigned char c) { return std::tolower(c); });
            std::string want = h;
            std::transform(want.begin(), want.end(), want.begin(), [](unsigned char c) { return std::tolower(c); });
            if (lname == want) o += "<tr><td>" + esc(h) + "</td><td>" + hl.render(dh.value) + "</td></tr>";
        }
    }
    o += "</table></div>";
    SanitizeHooks hooks;
    hooks.text = [&](std::string_view t) { return hl.render(t); };
    hooks.link = [&](std::string_view href) {
        std::string h(href);
        auto b = h.find_first_not_of(" \t\r\n");
        auto e = h.find_last_not_of(" \t\r\n");
        h = b == std::string::npos ? "" : h.substr(b, e - b + 1);
        std::string shown = "[" + defang_target(h) + "]";
        auto it = href_ind.find(h);
        if (it == href_ind.end()) return "<span class=\"href\">" + esc(shown) + "</span>";
        std::size_t k = it->second;
        int j = ind_finding[k];
        std::string target = j >= 0 ? p + "f" + std::to_string(j + 1) : p + "i" + std::to_string(k + 1);
        return "<mark class=\"" + std::string(j >= 0 ? "ind" : "ind quiet") + "\" title=\"link target" + (j >= 0 ? " (finding " + std::to_string(j + 1) + ")" : std::string()) +
               "\"><a class=\"ref\" href=\"#" + target + "\"><span class=\"href\">" + esc(shown) + "</span></a><sup>" +
               (j >= 0 ? std::to_string(j + 1) : std::string("i")) + "</sup></mark>";
    };
    for (const auto& part : mime.texts) {
        o += "<div class=\"part\"><div class=\"ptitle\">part " + esc(part.path) + " · " + esc(part.content_type) +
             (part.charset.empty() ? "" : " · " + esc(part.charset)) + "</div>";
        if (part.html) o += "<div class=\"mail-html\">" + sanitize_html(part.html_source, hooks) + "</div>";
        else o += "<pre>" + hl.render(part.text) + "</pre>";
        o += "</div>";
    }
    if (!mime.attachments.empty()) {
        o += "<div class=\"part\"><div class=\"ptitle\">attachments (not opened)</div><ul class=\"plain\">";
        for (const auto& at : mime.attachments)
            o += "<li><code>" + esc(at.filename.empty() ? "(no name)" : at.filename) + "</code> " + esc(at.content_type) + ", " +
                 std::to_string(at.size) + " bytes</li>";
        o += "</ul></div>";
    }
    o += "</div></section>\n";

    // Indicators, defanged.
    if (!r.indicators.items.empty()) {
        o += "<section><h2>Indicators (defanged)</h2><table class=\"ind\"><tr><th>#</th><th>kind</th><th>value</th><th>where</th><th>notes</th><th>finding</th></tr>";
        for (std::size_t k = 0; k < r.indicators.items.size(); ++k) {
            const Indicator& i = r.indicators.items[k];
            std::string shown = i.kind == "url" || i.kind == "email" ? i.defanged : i.value;
            std::string notes;
            for (const auto& fl : i.flags) notes += (notes.empty() ? "" : ", ") + fl;
            if (!i.subtype.empty()) notes += (notes.empty() ? "" : ", ") + i.subtype;
            if (!i.link_text.empty()) notes += (notes.empty() ? "" : "; ") + std::string("link text \"") + defang(i.link_text) + "\"";
            int j = ind_finding[k];
            o += "<tr id=\"" + p + "i" + std::to_string(k + 1) + "\"><td>" + std::to_string(k + 1) + "</td><td>" + esc(i.kind) +
                 "</td><td class=\"v\">" + esc(shown) + "</td><td>" + esc(i.where) + "</td><td>" + esc(notes) + "</td><td>" +
                 (j >= 0 ? "<a class=\"ref\" href=\"#" + p + "f" + std::to_string(j + 1) + "\">" + std::to_string(j + 1) + " " +
                               esc(r.findings[j].id) + "</a>"
                         : std::string("—")) +
                 "</td></tr>";
        }
        o += "</table></section>\n";
    }

    // What to do next.
    o += "<section><h2>What to do next</h2><ol class=\"next\">";
    for (const auto& s : r.next_steps) {
        if (s.rfind("authscope ", 0) == 0) {
            std::string cmd = s;
            auto at = cmd.rfind(" FILE");
            if (at != std::string::npos && !file.empty() && file != "-") cmd = cmd.substr(0, at) + " " + file;
            o += "<li><code class=\"cmd\">" + esc(cmd) + "</code></li>";
        } else {
            o += "<li>" + esc(s) + "</li>";
        }
    }
    o += "</ol>";
    if (!r.report_to.empty()) o += "<p>Abuse desk: <code>" + esc(defang(r.report_to)) + "</code></p>";
    o += "</section>\n";
    if (!r.notes.empty()) {
        o += "<section><h2>Notes</h2><ul class=\"plain\">";
        for (const auto& x : r.notes) o += "<li>" + esc(x) + "</li>";
        o += "</ul></section>\n";
    }
    o += "</article>\n";
    return o;
}

std::string explain_html(const ExplainReport& r, const Message& msg, const std::string& file, const MimeLimits& limits) {
    return html_page_begin("authscope explain: " + file) + explain_html_section(r, msg, file, limits) + html_page_end();
}

}  // namespace auth
