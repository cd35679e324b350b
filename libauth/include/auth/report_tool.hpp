// `authscope report` in the tool layer: --read over the runner's inputs, one sample's report as an
// Outcome, --read --analyze and --campaign (the report itself, protocol-free: auth/report.hpp).
#pragma once
#include <functional>
#include <ostream>

#include "auth/report.hpp"
#include "auth/run.hpp"

namespace auth {

// Looks at the message a failure report returned (--analyze): dkim/spf/dmarc/explain over it.
// Gets the embedded message (whole, or its header only) and the run's resolver.
using OriginalAnalyzer = std::function<Outcome(const Message& original, Resolver& dns, const CommonOptions& opts)>;

// `authscope report --read`: reads every input (files; folders walked in sorted order; "-" is
// stdin), prints each report (JSON Lines with --json), errors one line each on err.
// Exit 0 when every input was read, 3 when one was not (the others are still read).
int run_report_read(const CommonOptions& opts, const OriginalAnalyzer& analyze, std::ostream& out, std::ostream& err);

// The whole of `authscope report` for one sample: the report, and with bundle_dir the bundle
// (DNS snapshot of the answers `dns` gave for this sample). Outcome text is the report message.
Outcome report_sample(const SampleContext& ctx, const BrandSet& brands, const ReportOptions& opts);

// --read --analyze: explain over the message a failure report returned.
Outcome analyze_returned_message(const Message& msg, Resolver& dns, const BrandSet& brands);

// ---- a campaign at once (report --campaign) ----------------------------------------------

struct CampaignRunOptions;

// `authscope report --campaign`: groups the samples as `authscope campaigns` does, then writes one
// ARF report per campaign of two or more: its first member attached (explain's analysis of it),
// every other member's header fields listed in the human-readable part, the campaign's merged
// indicators. Text output is an mbox of the reports; JSON one object per campaign. With
// ro.bundle_dir, DIR/<campaign id>/ holds report.eml, original.eml (the attached member),
// members/ (every member byte for byte), dns.zone (one snapshot of the answers every member's
// authentication used), verdict.json, campaign.json, manifest.json and SHA256SUMS. Reads each
// input twice, so stdin is refused. Returns 0, or 3 when a sample could not be read.
int run_campaign_reports(const CommonOptions& opts, const BrandSet& brands, const ReportOptions& ro,
                         const CampaignRunOptions& cro, std::ostream& out, std::ostream& err);

}  // namespace auth
