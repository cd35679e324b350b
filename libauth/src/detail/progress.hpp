// The progress line of a run over many samples (run_samples): samples done of found, the rate
// and the time elapsed, on stderr only. On a terminal it is one line redrawn in place a few times
// a second and erased at the end; forced onto a pipe or file (--progress) it is a plain line now
// and then. It never touches stdout: it is erased before output that goes to the same terminal.
#pragma once
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace auth::detail {

class Progress {
public:
    // tty: err is a terminal (redraw in place); out_tty: stdout is one too (erase before output).
    Progress(std::ostream& err, std::string tool, bool tty, bool out_tty, std::uint64_t found = 0);
    ~Progress() { finish(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void found() { ++found_; tick(); }  // one more sample read from the inputs
    void done() { ++done_; tick(); }    // one more sample analysed (in any order)
    void input_done() { input_done_ = true; }
    // Redraws when a quarter of a second (a plain line: ten seconds) has passed since the last.
    void tick();
    // Before a result is written: erases the line when the result goes to the same terminal.
    void before_output(bool to_stdout, bool to_stderr);
    void finish();  // erases the line for good

    // The line itself, e.g. "authscope-explain: 120 of 2000 samples, 35.2/s, 0:03" (for tests).
    static std::string line(const std::string& tool, std::uint64_t done, std::uint64_t found, bool all_found,
                            double seconds);

private:
    void draw();
    void erase();
    std::ostream& err_;
    std::string tool_;
    bool tty_, out_tty_;
    std::uint64_t found_, done_ = 0;
    bool input_done_ = false, finished_ = false;
    std::size_t shown_ = 0;  // columns of the line on the terminal now (0: none)
    std::chrono::steady_clock::time_point start_, last_;
};

// Whether to show progress: forced by --progress / --no-progress (mode 1 / 0), else (-1) when
// stderr is a terminal and the run's error stream is std::cerr.
bool progress_wanted(int mode, const std::ostream& err);
bool stdout_is_terminal();
bool stderr_is_terminal();

}  // namespace auth::detail
