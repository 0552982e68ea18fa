#pragma once
// Counts heap allocations: a program that links allocation_counter.cpp gets a global operator
// new that counts every call. For tests and benchmarks that promise "no allocation per message".
#include <cstddef>

namespace mqtk::test {

// Calls of operator new so far in this process.
std::size_t allocation_count() noexcept;

}  // namespace mqtk::test
