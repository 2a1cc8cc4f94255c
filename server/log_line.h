// The service's log: JSON lines on standard output (access log and events).
#pragma once

#include <string>

namespace castellan::server {

// Writes one line to standard output in a single write, so that lines from
// different threads do not interleave. Thread-safe.
void WriteLogLine(const std::string& line);

}  // namespace castellan::server
