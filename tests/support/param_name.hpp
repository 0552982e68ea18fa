#pragma once
// Names for value-parameterised tests. When gtest cannot print a parameter it names the case
// after the parameter's bytes ("56-byte object <30-C7 26-17 …>"), pointers included, so the
// ctest name changes from build to build and cannot be selected with -R. These names are the
// case's index followed by the words that tell the cases apart, and stay the same.
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::test {

// "3_t_crlf_topic_m_x": `index`, then the letters and digits of `words` ('_' between runs),
// at most 48 characters.
inline std::string param_name(std::size_t index, const std::vector<std::string>& words) {
  std::string name = std::to_string(index);
  for (const auto& word : words) {
    for (const unsigned char c : word) {
      if (name.size() >= 48) return name;
      if (std::isalnum(c)) {
        name += static_cast<char>(std::tolower(c));
      } else if (name.back() != '_') {
        name += '_';
      }
    }
    if (name.back() != '_') name += '_';
  }
  while (name.back() == '_') name.pop_back();
  return name;
}

}  // namespace mqtk::test
