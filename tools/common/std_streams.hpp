#pragma once
// File descriptors 0, 1 and 2 as a tool starts. A tool started with one of them closed
// (`mqtk-pub -s <&-`) would otherwise hand that number to the first file it opens (the event
// loop's eventfd, a socket), and then read its stdin from, or print its messages into, that.
#include <cstdint>

namespace mqtk::tools {

// sysexits EX_IOERR: a tool's output could not be written (stdout closed, EBADF, ENOSPC, EIO).
inline constexpr int exit_io_error = 74;

struct standard_streams {
  bool stdin_closed = false;
  bool stdout_closed = false;
  bool stderr_closed = false;
};

// Opens /dev/null on each of fds 0-2 that is closed (read-only for 0, write-only for 1 and 2)
// and says which were. Call first in a tool's main path, before anything opens a file.
standard_streams open_standard_streams() noexcept;

}  // namespace mqtk::tools
