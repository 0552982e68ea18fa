#include "mqtk-sub/sub_app.hpp"

int main(int argc, char** argv) { return mqtk::tools::sub_main(argc, argv); }
