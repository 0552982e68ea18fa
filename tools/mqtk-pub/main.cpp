#include "mqtk-pub/pub_app.hpp"

int main(int argc, char** argv) { return mqtk::tools::pub_main(argc, argv); }
