// The shared shape of every tool: common options, the walk over samples (in parallel, output
// in input order), the output formats and the exit status. A tool's main calls tool_main().
#pragma once
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "auth/dns.hpp"
#include "auth/message.hpp"
#include "auth/result.hpp"
#include "auth/samples.hpp"

namespace auth {

using Json = nlohmann::ordered_json;

// html (tools whose ToolSpec says so): one inert page, a section per sample (auth/html.hpp).
enum class Format { text, json, ar, html };

// How run_samples analyses samples in parallel (--jobs N > 1). processes: forked workers, which
// scale on any number of cores and lose only the sample a crash happened on; call it from a
// program with no other threads running. threads: for programs that embed libauth and cannot fork.
enum class Workers { processes, threads };

// Options every tool takes.
struct CommonOptions {
    Format format = Format::text;
    DnsOptions dns;
    unsigned jobs = 0;                  // 0: one per core
    Workers workers = Workers::processes;
    unsigned sample_timeout = 600;      // seconds one sample may take in a worker process (0: no limit)
    std::string authserv_id = "authscope";  // for --format ar
    int progress = -1;                  // --progress 1, --no-progress 0; -1: when stderr is a terminal
    std::vector<std::string> inputs;    // positional arguments
};

// What a tool made of one sample.
struct Outcome {
    std::string text;  // --format text: verdict first, then why; ends with a newline
    Json json;         // --format json: the tool's keys ("tool" and "file" are put first by the runner)
    std::string ar;    // --format ar: a whole Authentication-Results field, no final newline
    std::string html;  // --format html: the sample's section of the page (the runner writes the page around it)
    int exit = kExitPass;
};

struct SampleContext {
    const std::string& file;             // what outputs call the sample (path, "-", "PATH#N")
    const Message& message;              // its bytes: message.original() is the sample as given
    Resolver& dns;                       // records this sample's answers (Outcome json "dns")
    const CommonOptions& options;
};

using Analyzer = std::function<Outcome(const SampleContext&)>;

// A tool's description: its name (dkim), a one-line summary, the synopsis lines for --help,
// extra options, and what to do once options are parsed.
struct ToolSpec {
    std::string name;
    std::string summary;
    std::string usage;  // e.g. "[options] SAMPLE..."
    std::function<void(boost::program_options::options_description&)> add_options;
    // Runs the tool. The default (when unset) is run_samples(spec, opts, analyze).
    std::function<int(const boost::program_options::variables_map&, CommonOptions&)> run;
    Analyzer analyze;
    bool html = false;  // --format html is offered (the analyzer fills Outcome::html)
};

// Parses options, handles --help/--version, runs, maps exceptions to the exit contract:
// UsageError -> 2, InputError -> 3, and never lets an exception escape.
int tool_main(const ToolSpec& spec, int argc, char** argv);

// The resolver for a whole run: replay or live, wrapped for --dns-record. Call
// finish_session_dns() at the end so the snapshot is written.
std::shared_ptr<Resolver> open_session_dns(const CommonOptions& opts);
void finish_session_dns(const CommonOptions& opts, const std::shared_ptr<Resolver>& dns);

// Runs the analyzer over every sample of opts.inputs (stdin when none), opts.jobs at a time
// (worker processes or threads, opts.workers), printing each outcome to out in input order and
// one-line errors to err. A sample whose worker process dies, or that takes longer than
// opts.sample_timeout in one, is an error (exit 3); the others go on. Returns the highest exit status.
int run_samples(const std::string& tool, const CommonOptions& opts, const Analyzer& analyze,
                std::ostream& out, std::ostream& err);

// Prints one outcome in the chosen format.
void print_outcome(std::ostream& out, Format f, const std::string& tool, const std::string& file,
                   Outcome& o);

// One JSON line; invalid UTF-8 in strings is replaced, never an exception.
std::string json_line(const Json& j);

// JSON for a list of DNS answers, the evidence a result rests on.
Json dns_evidence_json(const std::vector<DnsAnswer>& answers);

// "authscope-dkim: FILE: what" on err (one line, control characters made visible).
void print_error(std::ostream& err, const std::string& tool, const std::string& file, const std::string& what);
// The --json line of a sample that could not be read: {"tool", "file", "result": "error", "error"}.
Json error_json(const std::string& tool, const std::string& file, const std::string& what);

}  // namespace auth
