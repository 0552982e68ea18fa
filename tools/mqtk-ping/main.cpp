#include "mqtk-ping/ping_app.hpp"

int main(int argc, char** argv) { return mqtk::tools::ping_main(argc, argv); }
