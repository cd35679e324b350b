// Where samples come from: `-` (stdin), a file, an mbox, a Maildir or a folder of messages.
// Streaming: an mbox is read one message at a time, never held whole.
#pragma once
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

struct Sample {
    std::string file;   // what the outputs call it: the path, "-", or "PATH#N" for the Nth message of an mbox
    std::string bytes;  // the message's exact bytes (an mbox message with its From_ line removed
                        // and >From unquoted, mboxrd)
    std::string error;  // non-empty when the sample could not be read: one sentence, no file name
};

// Splits an mbox stream into messages (mboxrd/mboxo: a line "From " after a blank line, or at
// the start, begins a message; ">From ", ">>From " ... lose one '>'). RFC 4155.
class MboxReader {
public:
    explicit MboxReader(std::istream& in, std::size_t max_message_bytes = 64u << 20);
    // Reads the next message into bytes; false at the end. A message over the limit is skipped
    // and returned with `error` set.
    bool next(std::string& bytes, std::string& error);
    std::size_t count() const { return count_; }
private:
    // The next line without its LF (a CR stays); valid until the next call. False at the end.
    bool read_line(std::string_view& line, bool& newline);
    std::istream& in_;
    std::size_t max_;
    std::size_t count_ = 0;
    std::string pending_;   // a From_ line already read
    bool started_ = false;
    std::string buf_;       // block read from in_, scanned with memchr
    std::size_t pos_ = 0;
    bool eof_ = false;
    std::string spill_;     // a line that crosses a block boundary
};

// Iterates the samples named on a command line, in order: directories are walked in sorted
// order (Maildir: cur/ and new/; tmp/ and dot files skipped), files whose first line begins
// "From " are read as mboxes, anything else is one message.
class SampleSource {
public:
    explicit SampleSource(std::vector<std::string> paths);
    ~SampleSource();
    bool next(Sample& out);
private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace auth
