#include "mqtk-decode/decode_app.hpp"

int main(int argc, char** argv) { return mqtk::tools::decode_main(argc, argv); }
