// mqtk-pub -l's input: blocks of whole lines read from a descriptor, split in place.
#include <unistd.h>

#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/line_block_reader.hpp"

namespace mqtk::tools {
namespace {

// A pipe whose write end is fed by the test.
struct pipe_fds {
  int read_end = -1;
  int write_end = -1;
  pipe_fds() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~pipe_fds() {
    close_write();
    if (read_end >= 0) ::close(read_end);
  }
  void write(std::string_view bytes) const {
    ASSERT_EQ(::write(write_end, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  void close_write() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
};

std::vector<std::string> lines_of(std::string_view block) {
  std::vector<std::string> out;
  while (!block.empty()) out.emplace_back(next_line(block));
  return out;
}

// Every line the reader yields for `input`, written in one go, read `block_size` at a time.
std::vector<std::string> read_all(std::string_view input, std::size_t block_size) {
  pipe_fds p;
  p.write(input);
  p.close_write();
  line_block_reader reader(p.read_end, block_size);
  std::vector<std::string> out;
  std::string block;
  while (reader.next(block)) {
    EXPECT_FALSE(block.empty());
    for (auto& l : lines_of(block)) out.push_back(std::move(l));
  }
  EXPECT_FALSE(reader.next(block));  // stays at the end
  return out;
}

TEST(next_line, splits_without_the_newline) {
  EXPECT_EQ(lines_of("one\n\nthree\r\nlast"), (std::vector<std::string>{"one", "", "three\r", "last"}));
  EXPECT_EQ(lines_of("a\nb\n"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(lines_of("\n"), (std::vector<std::string>{""}));
  EXPECT_EQ(lines_of(std::string("x\0y\n", 4)), (std::vector<std::string>{std::string("x\0y", 3)}));
}

TEST(line_block_reader, same_lines_for_every_block_size) {
  const std::string input = "one\n\nthree\r\n" + std::string(300, 'L') + "\nlast";
  const std::vector<std::string> expected{"one", "", "three\r", std::string(300, 'L'), "last"};
  for (std::size_t size : {1, 2, 3, 7, 64, 299, 300, 301, 4096}) {
    EXPECT_EQ(read_all(input, size), expected) << "block size " << size;
  }
}

TEST(line_block_reader, no_message_after_a_final_newline_and_none_for_empty_input) {
  EXPECT_EQ(read_all("a\nb\n", 16), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(read_all("", 16), std::vector<std::string>{});
  EXPECT_EQ(read_all("\n", 16), std::vector<std::string>{""});
}

TEST(line_block_reader, blocks_end_at_line_boundaries) {
  pipe_fds p;
  p.write("first\nsec");
  line_block_reader reader(p.read_end, 64);
  std::string block;
  ASSERT_TRUE(reader.next(block));
  EXPECT_EQ(block, "first\n");  // the started line waits for its end
  p.write("ond\nthird\n");
  ASSERT_TRUE(reader.next(block));
  EXPECT_EQ(block, "second\nthird\n");
  p.close_write();
  EXPECT_FALSE(reader.next(block));
}

// A line that arrives slowly from a pipe is handed over as soon as it ends, not when a block
// is full: `tail -f log | mqtk-pub -l` publishes each line as it comes.
TEST(line_block_reader, hands_over_each_line_as_it_ends) {
  pipe_fds p;
  line_block_reader reader(p.read_end, 64 * 1024);
  std::string block;
  for (const char* line : {"a\n", "bb\n", "ccc\n"}) {
    std::thread writer([&] { p.write(line); });
    ASSERT_TRUE(reader.next(block));
    EXPECT_EQ(block, line);
    writer.join();
  }
}

TEST(line_block_reader, read_error_is_reported) {
  line_block_reader reader(-1);
  std::string block;
  EXPECT_THROW(reader.next(block), std::system_error);
}

}  // namespace
}  // namespace mqtk::tools
