#include "mqtk-bench/bench_app.hpp"

int main(int argc, char** argv) { return mqtk::tools::bench_main(argc, argv); }
