// `authscope report --campaign`: one ARF report (RFC 5965) per campaign, and a bundle per campaign.
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "auth/campaign_run.hpp"
#include "auth/error.hpp"
#include "auth/explain.hpp"
#include "auth/report.hpp"
#include "auth/report_tool.hpp"
#include "auth/samples.hpp"

namespace auth {

namespace {

// The header fields that identify one member in the list of the others (RFC 5965 §2 item b is
// free text: a person reads it).
std::string member_header_lines(const Message& m) {
    std::string out;
    for (const char* name : {"Date", "From", "Sender", "Reply-To", "To", "Subject", "Message-ID", "Return-Path"})
        for (const HeaderField* f : m.all(name)) {
            std::string v = f->value.size() > 300 ? f->value.substr(0, 300) + "..." : f->value;
            out += "    " + std::string(name) + ": " + v + "\n";
        }
    if (const HeaderField* r = m.first("Received")) {
        std::string v = r->value.size() > 300 ? r->value.substr(0, 300) + "..." : r->value;
        out += "    Received (top): " + v + "\n";
    }
    return out;
}

struct CampaignWork {
    const Campaign* campaign = nullptr;
    std::shared_ptr<RecordingResolver> dns;       // every member's authentication answers
    std::optional<ReportAnalysis> analysis;       // of the first member
    std::string original;                         // the first member's bytes
    std::vector<std::string> others;              // the other members' header lines, in input order
    std::vector<BundleFile> member_files;         // members/NNN.eml written so far
    std::string dir;                              // DIR/<id> with --bundle
};

void put_file(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw InputError("cannot write " + p.string());
}

std::string safe_name(const std::string& file) {
    std::string base = std::filesystem::path(file).filename().string();
    std::string out;
    for (char c : base) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_');
    if (out.size() > 80) out.resize(80);
    return out;
}

}  // namespace

int run_campaign_reports(const CommonOptions& opts, const BrandSet& brands, const ReportOptions& ro,
                         const CampaignRunOptions& cro, std::ostream& out, std::ostream& err) {
    namespace fs = std::filesystem;
    for (const auto& in : opts.inputs)
        if (in == "-") throw UsageError("--campaign reads each sample twice: give files, folders or mboxes, not stdin");
    if (opts.inputs.empty()) throw UsageError("--campaign needs samples (files, folders or mboxes)");
    if (!ro.bundle_dir.empty()) {
        std::error_code ec;
        if (fs::exists(ro.bundle_dir, ec) && (!fs::is_directory(ro.bundle_dir, ec) || !fs::is_empty(ro.bundle_dir, ec)))
            throw UsageError("--bundle " + ro.bundle_dir + ": exists and is not an empty directory (refusing to overwrite evidence)");
    }
    const bool json = opts.format == Format::json;
    CampaignRun run = run_campaigns("report", opts, brands, cro, json ? &out : nullptr, err);

    // Which campaign each member belongs to (campaigns of two or more only).
    std::vector<CampaignWork> work;
    std::map<std::string, std::pair<std::size_t, std::size_t>> where;
    auto session = open_session_dns(opts);
    for (const auto& c : run.campaigns) {
        if (c.members.size() < 2) continue;
        CampaignWork w;
        w.campaign = &c;
        w.dns = std::make_shared<RecordingResolver>(session);
        if (!ro.bundle_dir.empty()) {
            w.dir = (fs::path(ro.bundle_dir) / c.id).string();
            std::error_code ec;
            fs::create_directories(fs::path(w.dir) / "members", ec);
            if (ec) throw UsageError("--bundle " + w.dir + ": cannot create it: " + ec.message());
        }
        for (std::size_t i = 0; i < c.members.size(); ++i) where[c.members[i].file] = {work.size(), i};
        work.push_back(std::move(w));
    }

    // Second pass, one sample at a time: the first member is analysed and kept, the others'
    // headers listed; with --bundle every member is copied byte for byte as it goes by.
    SampleSource src(opts.inputs, MessageLimits{}.max_message_bytes, false);
    Sample s;
    while (!where.empty() && src.next(s)) {
        auto it = where.find(s.file);
        if (it == where.end() || !s.error.empty()) continue;
        CampaignWork& w = work[it->second.first];
        std::size_t idx = it->second.second;
        try {
            Message m = Message::parse(s.bytes);
            if (idx == 0) {
                w.analysis = analyze_for_report(m, *w.dns, brands, ro);
                w.original = m.original();
            } else {
                w.others.push_back("  " + s.file + "\n" + member_header_lines(m));
                if (!w.dir.empty()) check_authentication(m, *w.dns);  // its answers join the one snapshot
            }
            if (!w.dir.empty()) {
                char num[16];
                std::snprintf(num, sizeof num, "%03zu-", idx + 1);
                std::string name = "members/" + std::string(num) + safe_name(s.file);
                put_file(fs::path(w.dir) / name, m.original());
                w.member_files.push_back({name, sha256_hex(m.original()), m.original().size()});
            }
        } catch (const InputError& e) {
            print_error(err, "report", s.file, e.what());
        }
    }

    for (auto& w : work) {
        const Campaign& c = *w.campaign;
        if (!w.analysis) continue;  // the first member went away between the passes: reported above
        ReportDraft d = w.analysis->draft;
        std::string first_subject = c.members.front().subject;
        if (d.subject.empty()) d.subject = "Abuse report: campaign " + c.id + " (" + std::to_string(c.members.size()) +
                                           " messages): " + first_subject;
        std::set<std::string> kinds;
        for (const auto& t : c.ties) kinds.insert(t.kind);
        std::string ks;
        for (const auto& k : kinds) ks += (ks.empty() ? "" : ", ") + k;
        std::string t = "\n\nThis report covers one campaign (" + c.id + "): " + std::to_string(c.members.size()) +
                        " messages";
        if (c.first_seen >= 0) t += ", first seen " + iso_time(c.first_seen) + ", last seen " + iso_time(c.last_seen);
        t += ", tied by " + ks + ". The first message is attached and analysed above.\nWhat ties them:\n";
        for (const auto& tie : c.ties) t += "  " + tie.kind + ": " + tie.value + " (" + tie.evidence + ")\n";
        t += "The other messages of the campaign, their header fields:\n";
        for (const auto& o : w.others) t += o;
        d.verdict_text += t;
        d.indicators.clear();
        for (const auto& i : c.indicators) d.indicators.push_back(i);
        std::string report = write_feedback_report(d);
        parse_feedback_report(report);  // every report written is read back by our own reader
        if (!w.dir.empty()) {
            Json cj = campaign_json(c);
            std::vector<std::pair<std::string, std::string>> files = {
                {"report.eml", report},
                {"original.eml", w.original},
                {"dns.zone", write_snapshot(w.dns->answers())},
                {"verdict.json", w.analysis->verdict_json.dump(2) + "\n"},
                {"campaign.json", cj.dump(2) + "\n"}};
            Json manifest;
            manifest["tool"] = "authscope-report";
            manifest["campaign"] = c.id;
            manifest["files"] = Json::array();
            std::string sums;
            for (const auto& [name, bytes] : files) {
                put_file(fs::path(w.dir) / name, bytes);
                std::string h = sha256_hex(bytes);
                manifest["files"].push_back({{"name", name}, {"sha256", h}, {"size", bytes.size()}});
                sums += h + "  " + name + "\n";
            }
            for (const auto& f : w.member_files) {
                manifest["files"].push_back({{"name", f.name}, {"sha256", f.sha256}, {"size", f.size}});
                sums += f.sha256 + "  " + f.name + "\n";
            }
            manifest["reverify"] = "authscope explain --dns-from dns.zone members/*.eml";
            put_file(fs::path(w.dir) / "manifest.json", manifest.dump(2) + "\n");
            put_file(fs::path(w.dir) / "SHA256SUMS", sums);
        }
        if (json) {
            Json j;
            j["tool"] = "report";
            j["file"] = c.members.front().file;
            j["result"] = w.analysis->verdict_json.contains("result") ? w.analysis->verdict_json["result"] : Json("none");
            j["campaign"] = c.id;
            j["members"] = c.members.size();
            j["verdict"] = w.analysis->verdict;
            j["feedback_type"] = d.feedback_type;
            j["to"] = d.to;
            if (!w.dir.empty()) j["bundle"] = w.dir;
            j["report"] = report;
            out << json_line(j) << "\n";
        } else if (!w.dir.empty()) {
            out << "Campaign " << c.id << " (" << c.members.size() << " messages): bundle written to " << w.dir << "\n";
        } else {
            // An mbox of reports (RFC 4155): a From_ line before each, ">From " quoted in the body.
            out << "From authscope " << "Thu Jan  1 00:00:00 1970\n";
            std::string lf;
            lf.reserve(report.size());
            for (std::size_t i = 0; i < report.size(); ++i)
                if (!(report[i] == '\r' && i + 1 < report.size() && report[i + 1] == '\n')) lf.push_back(report[i]);
            std::size_t pos = 0;
            while (pos < lf.size()) {
                std::size_t e = lf.find('\n', pos);
                std::string line = lf.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
                std::size_t k = 0;
                while (k < line.size() && line[k] == '>') ++k;
                if (line.compare(k, 5, "From ") == 0) out << ">";
                out << line << "\n";
                if (e == std::string::npos) break;
                pos = e + 1;
            }
            out << "\n";
        }
    }
    if (work.empty() && !json) out << "No campaign of two or more samples among " << run.samples << " samples.\n";
    finish_session_dns(opts, session);
    return run.status;
}

}  // namespace auth
