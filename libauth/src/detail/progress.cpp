#include "detail/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace auth::detail {

namespace {

using Clock = std::chrono::steady_clock;

std::size_t terminal_columns() {
    winsize ws{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

}  // namespace

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

bool progress_wanted(int mode, const std::ostream& err) {
    if (mode >= 0) return mode == 1;
    return &err == &std::cerr && stderr_is_terminal();
}

Progress::Progress(std::ostream& err, std::string tool, bool tty, bool out_tty, std::uint64_t found)
    : err_(err), tool_(std::move(tool)), tty_(tty), out_tty_(out_tty), found_(found), start_(Clock::now()), last_(start_) {
    draw();  // at once: a run that ends within the first redraw still showed it was running
}

std::string Progress::line(const std::string& tool, std::uint64_t done, std::uint64_t found, bool all_found,
                           double seconds) {
    char rate[32];
    double r = seconds > 0 ? done / seconds : 0;
    std::snprintf(rate, sizeof rate, r >= 100 ? "%.0f/s" : "%.1f/s", r);
    auto s = static_cast<unsigned long long>(seconds);
    char elapsed[32];
    if (s >= 3600) std::snprintf(elapsed, sizeof elapsed, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(elapsed, sizeof elapsed, "%llu:%02llu", s / 60, s % 60);
    return "authscope-" + tool + ": " + std::to_string(done) + " of " + std::to_string(found) + (all_found ? "" : "+") +
           " samples, " + rate + ", " + elapsed;
}

void Progress::tick() {
    if (finished_) return;
    auto now = Clock::now();
    auto every = tty_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(10000);
    if (now - last_ >= every) draw();
}

void Progress::draw() {
    last_ = Clock::now();
    double secs = std::chrono::duration<double>(last_ - start_).count();
    std::string l = line(tool_, done_, found_, input_done_, secs);
    if (!tty_) {
        err_ << l << "\n" << std::flush;
        return;
    }
    std::size_t cols = terminal_columns();
    if (l.size() >= cols) l.resize(cols > 1 ? cols - 1 : 0);  // a wrapped line could not be redrawn
    std::string pad = l.size() < shown_ ? std::string(shown_ - l.size(), ' ') : std::string();
    err_ << "\r" << l << pad << std::flush;
    shown_ = l.size();
}

void Progress::erase() {
    if (!tty_ || shown_ == 0) return;
    err_ << "\r" << std::string(shown_, ' ') << "\r" << std::flush;
    shown_ = 0;
}

void Progress::before_output(bool to_stdout, bool to_stderr) {
    if (to_stderr || (to_stdout && out_tty_)) erase();
}

void Progress::finish() {
    if (finished_) return;
    finished_ = true;
    erase();
}

}  // namespace auth::detail
