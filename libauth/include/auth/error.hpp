// Errors that end the processing of one sample (InputError) or of the whole command (UsageError).
#pragma once
#include <stdexcept>
#include <string>

namespace auth {

// The sample cannot be read or is malformed: exit status 3, the batch goes on.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The command line or a configuration file is wrong: exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace auth
