// Where samples come from: `-` (stdin), a file, an mbox, a Maildir or a folder of messages.
// Streaming: an mbox is read one message at a time, never held whole.
#pragma once
#include <cstdint>
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
    // A sample left where it is, for load_sample() to read (SampleSource with defer_reading):
    // the file it is in, and for an mbox message where in it.
    std::string path;           // empty: `bytes` holds the sample
    bool in_mbox = false;       // false: the whole file
    std::uint64_t offset = 0;   // an mbox message: its first byte after the From_ line
    std::uint64_t length = 0;   // its bytes as stored, before unquoting
    bool quoted = false;        // it has ">From " lines to unquote
    std::uint64_t file_dev = 0, file_ino = 0;  // the mbox as it was scanned (a replaced file is an error)
};

// Reads the bytes of a sample that SampleSource left in place (no-op when it holds its bytes);
// a file that cannot be read, or has changed, sets `error`.
void load_sample(Sample& s, std::size_t max_message_bytes = 64u << 20);

// Undoes mboxrd quoting: lines ">From ", ">>From " ... lose one '>' (RFC 4155).
void mbox_unquote(std::string& bytes);

// Splits an mbox stream into messages (mboxrd/mboxo: a line "From " after a blank line, or at
// the start, begins a message; ">From ", ">>From " ... lose one '>'). RFC 4155.
// Reads the stream in blocks and copies each message's lines in whole runs (memchr from line
// to line); only one message and one block are held at a time.
class MboxReader {
public:
    // already_read: bytes taken from the stream before (a peek at its start), read first.
    explicit MboxReader(std::istream& in, std::size_t max_message_bytes = 64u << 20,
                        std::string already_read = {}, std::size_t block_bytes = 1u << 16);
    // Reads the next message into bytes (cleared first, its capacity kept); false at the end.
    // A message over the limit is skipped and returned with `error` set and no bytes.
    bool next(std::string& bytes, std::string& error);
    // Finds the next message without copying it: where it lies in the stream (offset from the
    // stream's start, length as stored) and whether it has lines to unquote. The same messages,
    // limits and errors as next().
    struct Extent {
        std::uint64_t offset = 0, length = 0;
        bool quoted = false;
    };
    bool next_extent(Extent& where, std::string& error);
    std::size_t count() const { return count_; }
    bool read_failed() const { return failed_; }  // the stream reported an error (not just its end)
private:
    bool scan(std::string* bytes, Extent* where, std::string& error);
    bool fill(std::size_t keep_from);  // reads more; bytes before keep_from may be dropped
    std::istream& in_;
    std::size_t max_;
    std::size_t block_;
    std::size_t count_ = 0;
    bool started_ = false;
    bool pending_ = false;  // a From_ line was read: a message follows
    // The current block (and a line start carried over); grown without zero-filling.
    struct Block {
        std::unique_ptr<char[]> p;
        std::size_t len = 0, cap = 0;
        const char* data() const { return p.get(); }
        std::size_t size() const { return len; }
        char operator[](std::size_t i) const { return p[i]; }
        int compare(std::size_t at, std::size_t n, const char* s) const {
            return std::string_view(p.get(), len).compare(at, n, s);
        }
    } buf_;
    std::size_t pos_ = 0;
    std::uint64_t dropped_ = 0;  // stream bytes dropped from the front of buf_
    bool eof_ = false;
    bool failed_ = false;
};

// Iterates the samples named on a command line, in order: directories are walked in sorted
// order (Maildir: cur/ and new/; tmp/ and dot files skipped), files whose first line begins
// "From " are read as mboxes, anything else is one message.
class SampleSource {
public:
    // defer_reading: leave the bytes of files and of mbox messages in place (Sample::path ...)
    // for load_sample() to read, e.g. in a worker process; stdin is always read here.
    explicit SampleSource(std::vector<std::string> paths, std::size_t max_message_bytes = 64u << 20,
                          bool defer_reading = false);
    ~SampleSource();
    // The next sample (out's buffers are reused); false when every input is done. A file over
    // the size limit is an error sample and is not read.
    bool next(Sample& out);
private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace auth
