#include "auth/campaign_run.hpp"

#include <functional>
#include <streambuf>

#include "auth/address.hpp"
#include "auth/explain.hpp"
#include "auth/indicators.hpp"
#include "auth/mime.hpp"

namespace auth {

namespace {

// Hands every line written to it to a callback: the runner's JSON Lines become signatures as they
// arrive, in input order, so nothing is kept of the output beyond one line.
class LineSink : public std::streambuf {
public:
    explicit LineSink(std::function<void(const std::string&)> f) : f_(std::move(f)) {}
    void finish() {
        if (!line_.empty()) f_(line_);
        line_.clear();
    }

protected:
    int_type overflow(int_type c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        if (c == '\n') finish();
        else line_.push_back(static_cast<char>(c));
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        for (std::streamsize i = 0; i < n; ++i) {
            if (s[i] == '\n') finish();
            else line_.push_back(s[i]);
        }
        return n;
    }

private:
    std::function<void(const std::string&)> f_;
    std::string line_;
};


}  // namespace

// A signature needs the sender's authentication and the message's indicators (the extractors
// explain uses, over one MIME decode), not explain's rules: that halves the time per sample.
Analyzer campaign_signature_analyzer(const BrandSet& brands, const CampaignRunOptions& opts) {
    return [&brands, auth = opts.auth](const SampleContext& ctx) {
        ExplainOptions eo;
        ExplainReport r;
        r.auth = authenticate(ctx.message, ctx.dns, auth);  // the one pipeline dmarc, explain and report use
        DecodedMessage mime = decode_mime(ctx.message, eo.mime);
        std::string subj = mime.header("Subject");
        if (!subj.empty()) extract_all(subj, "Subject", r.indicators);
        for (const auto& part : mime.texts) {
            std::string where = std::string(part.html ? "HTML" : "text") + " part " + part.path;
            extract_all(part.text, where, r.indicators);
            for (const auto& l : part.links) add_href(l.href, l.text, "link in " + where, r.indicators);
        }
        std::string display;
        if (const HeaderField* f = ctx.message.first("From")) {
            AddressList l = parse_address_list(f->value);
            if (!l.mailboxes.empty()) display = l.mailboxes.front().display_name;
        }
        if (!display.empty()) extract_all(display, "From display name", r.indicators);
        // Authenticated as explain counts it: DMARC pass, or no policy and an aligned pass.
        bool aligned_pass = r.auth.spf_aligned;
        for (const auto& sg : r.auth.signatures) aligned_pass = aligned_pass || (sg.result == Result::pass && sg.aligned);
        bool authenticated = r.auth.dmarc == Result::pass || (r.auth.dmarc == Result::none && aligned_pass);
        if (authenticated) r.authenticated_domain = r.auth.from_domain;
        // Whom to report to, as explain names it: the brand's abuse desk (the brand the message is
        // from, else the one it claims in its display name or subject), else abuse@ the
        // authenticated organizational domain (RFC 2142 §2).
        const BrandProfile* brand = authenticated ? brands.by_domain(r.auth.org_domain) : nullptr;
        if (!brand) brand = brands.by_name_in(display + " " + subj);
        if (brand && !brand->abuse.empty()) r.report_to = brand->abuse;
        else if (authenticated && !r.auth.org_domain.empty()) r.report_to = "abuse@" + r.auth.org_domain;
        Outcome o;
        o.json = signature_json(sample_signature(ctx.file, ctx.message, mime, r, &brands));
        o.exit = kExitPass;
        return o;
    };
}

CampaignRun run_campaigns(const std::string& tool, const CommonOptions& opts, const BrandSet& brands,
                          const CampaignRunOptions& ro, std::ostream* error_lines, std::ostream& err) {
    CampaignRun run;
    CampaignGrouper grouper(ro.grouping);
    LineSink sink([&](const std::string& line) {
        Json j = Json::parse(line, nullptr, false);
        if (j.is_object() && j.value("result", "") == "signature") {
            grouper.add(signature_from_json(j));
        } else {
            ++run.errors;  // the runner has written its line on err
            if (error_lines) *error_lines << line << "\n";
        }
    });
    std::ostream lines(&sink);
    CommonOptions run_opts = opts;
    run_opts.format = Format::json;  // the signatures travel as JSON whatever the output format
    int status = run_samples(tool, run_opts, campaign_signature_analyzer(brands, ro), lines, err);
    lines.flush();
    sink.finish();
    run.samples = grouper.size();
    run.campaigns = grouper.finish();
    run.status = status == kExitPass ? kExitPass : kExitBadInput;
    return run;
}

}  // namespace auth
